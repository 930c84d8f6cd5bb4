from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.batch_list, name="batch-list"),
    path("upload/", views.batch_upload, name="batch-upload"),
    path("batches/<int:pk>/", views.batch_detail, name="batch-detail"),
    path("batches/<int:pk>/progress/", views.batch_progress, name="batch-progress"),
    path("batches/<int:pk>/errors.xlsx", views.batch_errors, name="batch-errors"),
    path("batches/<int:pk>/apply/", views.batch_apply_view, name="batch-apply"),
    path("batches/<int:pk>/mappings/", views.batch_mapping, name="batch-mapping"),
    path("templates/<slug:kind>.xlsx", views.template_download, name="template"),
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/decide/", views.task_bulk, name="task-bulk"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
]
