"""Who may do what in the cadence (object scope is the scope rule; this is the model matrix)."""

from organizations.roles import EDIT, MANAGE, VIEW, Role, grant, grant_codename


def grant_permissions() -> None:
    territorial = [Role.MUNICIPAL, Role.DISTRICT, Role.STREET]
    grant([*territorial, Role.INDUSTRY], "cadence.dailysnapshot", VIEW)
    # Streets file their weekly report; districts and the city review it.
    grant([Role.STREET], "cadence.weeklyreport", EDIT)
    grant([Role.STREET], "cadence.weeklyreportattachment", MANAGE)
    grant([Role.MUNICIPAL, Role.DISTRICT], "cadence.weeklyreport", VIEW)
    grant([Role.MUNICIPAL, Role.DISTRICT], "cadence.weeklyreportattachment", VIEW)
    grant_codename([Role.MUNICIPAL, Role.DISTRICT], "cadence.review_weeklyreport")
    # Key tasks: the city and districts set them; lead units report progress on theirs.
    for model in ("workplan", "keytask", "milestone"):
        grant([Role.MUNICIPAL, Role.DISTRICT], f"cadence.{model}", MANAGE)
        grant([Role.STREET, Role.MEMBER_UNIT, Role.INDUSTRY], f"cadence.{model}", VIEW)
    grant([Role.MUNICIPAL, Role.DISTRICT, Role.MEMBER_UNIT], "cadence.keytaskupdate", EDIT)
    grant([Role.STREET, Role.INDUSTRY], "cadence.keytaskupdate", VIEW)
    # Assessment is the city's: it configures the scoring and sees every district's result.
    grant([Role.MUNICIPAL], "cadence.scoringscheme", MANAGE)
    grant([Role.MUNICIPAL], "cadence.scoringcriterion", MANAGE)
    grant([Role.MUNICIPAL], "cadence.assessmentresult", VIEW)
    grant([Role.DISTRICT], "cadence.assessmentresult", VIEW)
    grant([Role.MUNICIPAL, Role.DISTRICT, Role.STREET, Role.INDUSTRY], "cadence.secretaryproject", EDIT)
    grant_codename([Role.MUNICIPAL, Role.DISTRICT], "cadence.accept_secretaryproject")
    grant([Role.MUNICIPAL, Role.DISTRICT], "cadence.rectificationlist", MANAGE)
    grant([Role.MUNICIPAL, Role.DISTRICT], "cadence.rectificationitem", MANAGE)
    grant([Role.STREET], "cadence.rectificationlist", VIEW)
    grant([Role.STREET], "cadence.rectificationitem", EDIT)
