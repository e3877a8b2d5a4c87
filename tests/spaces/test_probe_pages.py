"""Probe as a confused new user of a space (issue 16): the error pages speak to an external user of its
space (no « tableau de bord », no search it does not have), and say so when a page is the team's."""

from html import unescape

from django.urls import reverse


def test_error_pages_send_an_external_user_back_to_its_space(world, signed_in):
    client = signed_in(world["users"]["x"])
    response = client.get(reverse("spaces:lot", args=[world["lots"]["y1"].pk]))
    assert response.status_code == 404
    text = unescape(response.content.decode())
    assert "recherche" not in text and "tableau de bord" not in text
    assert '<a href="/espace/">Retour à votre espace</a>' in text
    response = client.get(reverse("participants:participant_list"))
    assert response.status_code == 403
    text = unescape(response.content.decode())
    assert "Cette page est réservée à l'équipe clauses" in text and "tableau de bord" not in text
    assert '<a href="/espace/">Retour à votre espace</a>' in text


def test_the_team_s_error_pages_are_unchanged(client_for):
    from clauses_site import roles

    response = client_for(roles.READER).get(reverse("spaces:home"))
    text = unescape(response.content.decode())
    assert response.status_code == 403 and "Retour au tableau de bord" in text and "« Lecteur »" in text
    response = client_for(roles.FACILITATOR).get("/marches/999999/")
    text = unescape(response.content.decode())
    assert response.status_code == 404 and "avec la recherche en haut de la page" in text
