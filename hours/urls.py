app_name = "hours"

urlpatterns = []
