"""A page left open after its session ended (idle timeout, logout in another tab): its htmx requests —
a job's progress polled every second — send the browser to the login page, back to that page afterwards,
instead of swapping the login form into the progress card. Plain requests keep Django's 302."""

from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from tests.jobs.factories import JobFactory


def test_an_htmx_request_signed_out_sends_the_page_to_the_login(client, db):
    job = JobFactory()
    progress = reverse("jobs:job_progress", args=[job.pk])
    page = reverse("jobs:job_detail", args=[job.pk])
    response = client.get(
        progress, headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}?x=1"}
    )
    assert response.status_code == 200 and response.content == b""
    assert response["HX-Redirect"] == f"{reverse('login')}?next={page}%3Fx%3D1"


def test_a_plain_request_signed_out_is_redirected_as_before(client, db):
    job = JobFactory()
    progress = reverse("jobs:job_progress", args=[job.pk])
    response = client.get(progress)
    assert response.status_code == 302 and "HX-Redirect" not in response
    assert response.url == f"{reverse('login')}?next={progress}"


def test_a_foreign_current_url_does_not_send_the_user_elsewhere_after_login(client, db):
    """HX-Current-URL is the browser's say: only its path is kept, and the login still checks it."""
    user = UserFactory(username="claire", facilitator=True)
    response = client.get(
        reverse("jobs:job_progress", args=[JobFactory(user=user).pk]),
        headers={"HX-Request": "true", "HX-Current-URL": "https://ailleurs.example//ailleurs.example/x"},
    )
    login = response["HX-Redirect"]
    assert login == f"{reverse('login')}?next=//ailleurs.example/x"
    signed_in = client.post(login, {"username": "claire", "password": PASSWORD})
    assert signed_in.status_code == 302 and "ailleurs" not in signed_in.url
