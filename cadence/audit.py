from auditlog.registry import auditlog


def register_models() -> None:
    from cadence import models as m

    for model in (
        m.WeeklyReport,
        m.WorkPlan,
        m.KeyTask,
        m.Milestone,
        m.KeyTaskUpdate,
        m.ScoringScheme,
        m.ScoringCriterion,
        m.SecretaryProject,
        m.RectificationList,
        m.RectificationItem,
    ):
        auditlog.register(model)
