from __future__ import annotations


def tie_new_photo_report(sender, instance, created, **kwargs) -> None:
    if created and instance.person_id and not kwargs.get("raw"):
        from volunteers.services import probe_report_tie

        probe_report_tie(report=instance)
