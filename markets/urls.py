from django.urls import path

from clauses_site.editing import RecordArchiveView
from markets import views, views_buyers
from markets.models import Buyer, Market

app_name = "markets"

# Markets, lots, clauses and awards (markets/views.py); buyers and operations (markets/views_buyers.py).
urlpatterns = [
    path("", views.MarketList.as_view(), name="market_list"),
    path("nouveau/", views.MarketCreate.as_view(), name="market_create"),
    path("<int:pk>/", views.MarketDetail.as_view(), name="market_detail"),
    path("<int:pk>/modifier/", views.MarketUpdate.as_view(), name="market_update"),
    path("<int:pk>/supprimer/", views.MarketDelete.as_view(), name="market_delete"),
    path("<int:pk>/archiver/", RecordArchiveView.as_view(model=Market), name="market_archive"),
    path("<int:market_pk>/lots/nouveau/", views.LotCreate.as_view(), name="lot_create"),
    path("donneurs/", views_buyers.BuyerList.as_view(), name="buyer_list"),
    path("donneurs/nouveau/", views_buyers.BuyerCreate.as_view(), name="buyer_create"),
    path("donneurs/<int:pk>/", views_buyers.BuyerDetail.as_view(), name="buyer_detail"),
    path("donneurs/<int:pk>/modifier/", views_buyers.BuyerUpdate.as_view(), name="buyer_update"),
    path("donneurs/<int:pk>/supprimer/", views_buyers.BuyerDelete.as_view(), name="buyer_delete"),
    path("donneurs/<int:pk>/archiver/", RecordArchiveView.as_view(model=Buyer), name="buyer_archive"),
    path(
        "donneurs/<int:buyer_pk>/operation/", views_buyers.OperationCreate.as_view(), name="operation_create"
    ),
    path("operations/<int:pk>/modifier/", views_buyers.OperationUpdate.as_view(), name="operation_update"),
    path("operations/<int:pk>/supprimer/", views_buyers.OperationDelete.as_view(), name="operation_delete"),
    path("lots/", views.LotList.as_view(), name="lot_list"),
    path("lots/<int:pk>/", views.LotDetail.as_view(), name="lot_detail"),
    path("lots/<int:pk>/modifier/", views.LotUpdate.as_view(), name="lot_update"),
    path("lots/<int:pk>/supprimer/", views.LotDelete.as_view(), name="lot_delete"),
    path("lots/<int:lot_pk>/clause/", views.ClauseCreate.as_view(), name="clause_create"),
    path("lots/<int:pk>/clause/calcul/", views.ClausePreview.as_view(), name="clause_preview"),
    path("clauses/<int:pk>/modifier/", views.ClauseUpdate.as_view(), name="clause_update"),
    path("clauses/<int:pk>/supprimer/", views.ClauseDelete.as_view(), name="clause_delete"),
    path("lots/<int:lot_pk>/attributions/nouvelle/", views.AwardCreate.as_view(), name="award_create"),
    path("attributions/<int:pk>/modifier/", views.AwardUpdate.as_view(), name="award_update"),
    path("attributions/<int:pk>/supprimer/", views.AwardDelete.as_view(), name="award_delete"),
]

# The pipeline (markets/views_pipeline.py).
from markets import views_pipeline  # noqa: E402

urlpatterns += [
    path("pipeline/", views_pipeline.pipeline_view, name="pipeline"),
    path("pipeline/<int:pk>/etape/", views_pipeline.pipeline_move, name="pipeline_move"),
    path("pipeline/a-venir/", views_pipeline.upcoming_view, name="pipeline_upcoming"),
    path("pipeline/a-venir.pdf", views_pipeline.upcoming_pdf, name="pipeline_upcoming_pdf"),
    path("pipeline/a-venir.xlsx", views_pipeline.upcoming_xlsx, name="pipeline_upcoming_xlsx"),
]
