"""Shapes of rows of the access matrix (see tests/access_matrix.py)."""

from clauses_site.roles import FACILITATOR, MANAGER, READER

ROLES = (None, READER, FACILITATOR, MANAGER)


def everyone(anonymous=302, reader=200, facilitator=200, manager=200):
    return {None: anonymous, READER: reader, FACILITATOR: facilitator, MANAGER: manager}


# Common shapes.
READ_ALL = everyone()
EDITORS_ONLY = everyone(reader=403)
MANAGER_ONLY = everyone(reader=403, facilitator=403)
PEOPLE = everyone(reader=403)  # personal data of participants: never the read-only role
POST_ONLY = everyone(anonymous=302, reader=405, facilitator=405, manager=405)
