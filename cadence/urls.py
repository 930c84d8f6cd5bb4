from django.urls import path

from cadence.api import DashboardFiguresView
from cadence.views import dashboard, dispatch, keytasks, weekly

app_name = "cadence"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/figures.json", DashboardFiguresView.as_view(), name="dashboard-figures"),
    path("dashboard/drill/<slug:provider>/<slug:figure>/", dashboard.drill, name="drill"),
    path("dashboard/notifications/", dashboard.notifications, name="notifications"),
    path("cadence/weekly/", weekly.weekly_list, name="weekly-list"),
    path("cadence/weekly/open/", weekly.weekly_open, name="weekly-open"),
    path("cadence/weekly/<int:pk>/", weekly.weekly_detail, name="weekly-detail"),
    path("cadence/weekly/<int:pk>/review/", weekly.weekly_review, name="weekly-review"),
    path("cadence/weekly/<int:pk>/attach/", weekly.weekly_attach, name="weekly-attach"),
    path("cadence/weekly/attachment/<int:pk>/", weekly.weekly_attachment, name="weekly-attachment"),
    path("cadence/dispatch/", dispatch.dispatch_list, name="dispatch-list"),
    path("cadence/dispatch/<int:pk>/", dispatch.dispatch_detail, name="dispatch-detail"),
    path("cadence/dispatch/<int:pk>/xlsx/", dispatch.dispatch_xlsx, name="dispatch-xlsx"),
    path("cadence/key-tasks/", keytasks.key_task_list, name="key-tasks"),
    path("cadence/key-tasks/<int:pk>/", keytasks.key_task_detail, name="key-task-detail"),
    path("cadence/key-tasks/evidence/<int:pk>/", keytasks.key_task_evidence, name="key-task-evidence"),
    path("cadence/rectification/<int:pk>/", keytasks.rectification_detail, name="rectification-detail"),
    path("cadence/rectification/", keytasks.rectification_list, name="rectification-list"),
    path("cadence/secretary-projects/", keytasks.secretary_projects, name="secretary-projects"),
    path("cadence/assessment/", keytasks.assessment, name="assessment"),
]
