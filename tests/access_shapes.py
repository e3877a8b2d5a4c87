"""Shapes of rows of the access matrix (see tests/access_matrix.py)."""

from clauses_site.roles import BUYER_USER, COMPANY_USER, FACILITATOR, MANAGER, READER

ROLES = (None, READER, FACILITATOR, MANAGER, COMPANY_USER, BUYER_USER)


def everyone(anonymous=302, reader=200, facilitator=200, manager=200, company=403, buyer=403):
    """A row of the matrix. The external roles (a company's, a buyer's user) get 403 by default: every
    page of the team is closed to them (spaces.middleware), whatever the team's roles get."""
    return {
        None: anonymous,
        READER: reader,
        FACILITATOR: facilitator,
        MANAGER: manager,
        COMPANY_USER: company,
        BUYER_USER: buyer,
    }


def for_all(status):
    """The same answer to everyone, signed in or not (a redirect of the sign-in pages, the favicon)."""
    return everyone(status, status, status, status, status, status)


def external(anonymous=302, company=200, buyer=200):
    """A page of the space: the external roles only, 403 to the team."""
    return everyone(anonymous, reader=403, facilitator=403, manager=403, company=company, buyer=buyer)


# Common shapes.
READ_ALL = everyone()
EDITORS_ONLY = everyone(reader=403)
MANAGER_ONLY = everyone(reader=403, facilitator=403)
PEOPLE = everyone(reader=403)  # personal data of participants: never the read-only role
POST_ONLY = everyone(anonymous=302, reader=405, facilitator=405, manager=405)
