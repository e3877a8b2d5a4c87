from tests.access_shapes import everyone

OPEN_TO_ALL_USERS = everyone(company=200, buyer=200)

MATRIX = {
    "home": everyone(company=302, buyer=302),  # external users are sent to their space
    "login": everyone(anonymous=200, reader=302, facilitator=302, manager=302, company=302, buyer=302),
    "logout": everyone(anonymous=302, reader=405, facilitator=405, manager=405, company=405, buyer=405),
    "password_change": OPEN_TO_ALL_USERS,
    "password_change_done": OPEN_TO_ALL_USERS,
    "health": everyone(anonymous=200, company=200, buyer=200),
    "accessibility": everyone(anonymous=200, company=200, buyer=200),  # the statement is public
}
