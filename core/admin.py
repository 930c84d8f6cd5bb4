from django.contrib import admin

from core.models import Holiday


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """The one working-day calendar: entered each December from the State Council's notice."""

    list_display = ["date", "name", "is_workday"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
