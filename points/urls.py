from django.urls import path

from points import views_phone as phone
from points import views_staff as staff

app_name = "points"

urlpatterns = [
    # staff
    path("", staff.staff_home, name="staff-home"),
    path("award/", staff.award, name="award"),
    path("accounts/", staff.accounts, name="accounts"),
    path("accounts/<int:pk>/", staff.account, name="account"),
    path("entries/<int:pk>/reverse/", staff.reverse_entry, name="reverse"),
    path("tasks/", staff.tasks, name="tasks"),
    path("tasks/new/", staff.task_new, name="task-new"),
    path("tasks/<int:pk>/", staff.task_detail, name="task"),
    path("claims/<int:pk>/confirm/", staff.claim_confirm, name="claim-confirm"),
    path("reports/", staff.reports, name="reports"),
    path("reports/<int:pk>/", staff.report_detail, name="report"),
    path("reports/<int:pk>/photo/", staff.report_photo, name="report-photo"),
    path("redemptions/", staff.redemptions, name="redemptions"),
    path("redemptions/<int:pk>/decide/", staff.redemption_decide, name="redemption-decide"),
    path("leaderboard/", staff.leaderboard, name="leaderboard"),
    path("stations/<str:code>/people/", staff.station_people, name="station-people"),
    # worker phone pages
    path("m/", phone.phone_home, name="phone-home"),
    path("m/login/", phone.phone_login, name="phone-login"),
    path("m/logout/", phone.phone_logout, name="phone-logout"),
    path("m/rewards/", phone.phone_rewards, name="phone-rewards"),
    path("m/redemptions/<int:pk>/cancel/", phone.phone_redemption_cancel, name="phone-redemption-cancel"),
    path("m/tasks/", phone.phone_tasks, name="phone-tasks"),
    path("m/report/<str:code>/", phone.phone_report, name="phone-report"),
]
