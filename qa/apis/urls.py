from django.urls import path, re_path

from qa.apis import audit, auth, dashboard, demo, errors, frames, hospitals, masks, models, reviews, studies, uploads

urlpatterns: list = [
    path("auth/csrf/", auth.CsrfApi.as_view(), name="auth-csrf"),
    path("auth/login/", auth.LoginApi.as_view(), name="auth-login"),
    path("auth/logout/", auth.LogoutApi.as_view(), name="auth-logout"),
    path("auth/me/", auth.MeApi.as_view(), name="auth-me"),
    path("auth/logout-everywhere/", auth.LogoutEverywhereApi.as_view(), name="auth-logout-everywhere"),
    path("auth/token/", auth.TokenApi.as_view(), name="auth-token"),
    path("auth/token/revoke/", auth.TokenRevokeApi.as_view(), name="auth-token-revoke"),
    path("hospitals/", hospitals.HospitalListApi.as_view(), name="hospital-list"),
    path("hospitals/<int:hospital_id>/", hospitals.HospitalDetailApi.as_view(), name="hospital-detail"),
    path("machines/", hospitals.MachineListApi.as_view(), name="machine-list"),
    path("studies/", studies.StudyListApi.as_view(), name="study-list"),
    path("studies/<int:study_id>/", studies.StudyDetailApi.as_view(), name="study-detail"),
    path("frames/<int:frame_id>/", frames.FrameDetailApi.as_view(), name="frame-detail"),
    path("frames/<int:frame_id>/image/", frames.FrameImageApi.as_view(), name="frame-image"),
    path("frames/<int:frame_id>/thumbnail/", frames.FrameThumbnailApi.as_view(), name="frame-thumbnail"),
    path("masks/<int:mask_id>/", masks.MaskDetailApi.as_view(), name="mask-detail"),
    path("masks/<int:mask_id>/image/", masks.MaskImageApi.as_view(), name="mask-image"),
    path("reviews/", reviews.ReviewListCreateApi.as_view(), name="review-list"),
    path("review-queue/", reviews.ReviewQueueApi.as_view(), name="review-queue"),
    path("review-queue/lease/", reviews.ReviewLeaseApi.as_view(), name="review-queue-lease"),
    path(
        "review-queue/leases/<int:lease_id>/release/",
        reviews.ReviewLeaseReleaseApi.as_view(),
        name="review-queue-lease-release",
    ),
    path("uploads/", uploads.UploadCreateApi.as_view(), name="upload-create"),
    path("model-versions/", models.ModelVersionListApi.as_view(), name="model-version-list"),
    path("training-runs/", models.TrainingRunListApi.as_view(), name="training-run-list"),
    path("training-runs/<int:training_run_id>/", models.TrainingRunDetailApi.as_view(), name="training-run-detail"),
    path("audit-events/", audit.AuditEventListApi.as_view(), name="audit-event-list"),
    path("audit-events/export.csv", audit.AuditEventExportApi.as_view(), name="audit-event-export"),
    path("dashboard/", dashboard.DashboardApi.as_view(), name="dashboard"),
    path("dashboard/frames/", dashboard.DashboardFrameListApi.as_view(), name="dashboard-frames"),
    path("alerts/", dashboard.AlertListApi.as_view(), name="alert-list"),
    path("alerts/<int:alert_id>/acknowledge/", dashboard.AlertAcknowledgeApi.as_view(), name="alert-acknowledge"),
    path("demo/progress/", demo.DemoProgressApi.as_view(), name="demo-progress"),
    # Last: every other /api/ path.
    re_path(r"^", errors.api_not_found, name="api-not-found"),
]
