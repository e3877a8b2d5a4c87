"""Authentication pages: password reset by e-mail (public: the same answer for every address), the
« Double authentification » page, the favicon."""

from tests.access_shapes import READ_ALL, everyone

PUBLIC_PAGE = everyone(anonymous=200)

MATRIX = {
    "password_reset": PUBLIC_PAGE,
    "password_reset_done": PUBLIC_PAGE,
    "password_reset_confirm": PUBLIC_PAGE,  # an invalid link: « Ce lien ne fonctionne plus »
    "password_reset_complete": PUBLIC_PAGE,
    "two_factor": READ_ALL,
    # Without a device there is no code to ask for: back to the page asked for (home).
    "two_factor_verify": everyone(anonymous=302, reader=302, facilitator=302, manager=302),
    "favicon": everyone(anonymous=301, reader=301, facilitator=301, manager=301),
}

URL_KWARGS = {"password_reset_confirm": lambda: {"uidb64": "MQ", "token": "lien-perime"}}
