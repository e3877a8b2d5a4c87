"""Authentication pages: password reset by e-mail (public: the same answer for every address), the
« Double authentification » page, the favicon."""

from tests.access_shapes import everyone, for_all

PUBLIC_PAGE = everyone(anonymous=200, company=200, buyer=200)

MATRIX = {
    "password_reset": PUBLIC_PAGE,
    "password_reset_done": PUBLIC_PAGE,
    "password_reset_confirm": PUBLIC_PAGE,  # an invalid link: « Ce lien ne fonctionne plus »
    "password_reset_complete": PUBLIC_PAGE,
    "two_factor": everyone(company=200, buyer=200),  # offered to external users too
    # Without a device there is no code to ask for: back to the page asked for (home).
    "two_factor_verify": for_all(302),
    "favicon": for_all(301),
}

URL_KWARGS = {"password_reset_confirm": lambda: {"uidb64": "MQ", "token": "lien-perime"}}
