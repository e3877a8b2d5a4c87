from tests.access_shapes import READ_ALL, everyone

MATRIX = {
    "home": READ_ALL,
    "login": everyone(anonymous=200, reader=302, facilitator=302, manager=302),
    "logout": everyone(anonymous=302, reader=405, facilitator=405, manager=405),
    "password_change": READ_ALL,
    "password_change_done": READ_ALL,
    "health": everyone(anonymous=200),
    "accessibility": everyone(anonymous=200),  # the accessibility statement is public
}
