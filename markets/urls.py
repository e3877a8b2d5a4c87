app_name = "markets"

urlpatterns = []

# The pipeline (markets/views_pipeline.py).
from django.urls import path  # noqa: E402

from markets import views_pipeline  # noqa: E402

urlpatterns += [
    path("pipeline/", views_pipeline.pipeline_view, name="pipeline"),
    path("pipeline/<int:pk>/etape/", views_pipeline.pipeline_move, name="pipeline_move"),
    path("pipeline/a-venir/", views_pipeline.upcoming_view, name="pipeline_upcoming"),
    path("pipeline/a-venir.pdf", views_pipeline.upcoming_pdf, name="pipeline_upcoming_pdf"),
    path("pipeline/a-venir.xlsx", views_pipeline.upcoming_xlsx, name="pipeline_upcoming_xlsx"),
]
