from django.core.management.base import BaseCommand
from django.db import transaction

from members import counts


class Command(BaseCommand):
    help = "Rebuild the member counts of every Party organization and unit from the membership records."

    def handle(self, *args, **options):
        with transaction.atomic():
            organizations, units = counts.recount_all()
        self.stdout.write(f"已重新统计 {organizations} 个党组织、{units} 个单位的党员数")
