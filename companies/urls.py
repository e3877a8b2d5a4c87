from clauses_site.routes import record_urls
from companies import views

app_name = "companies"

urlpatterns = record_urls(views, "company", new="nouvelle", archive=True)
