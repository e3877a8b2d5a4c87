from tests.access_shapes import PEOPLE, READ_ALL

MATRIX = {
    "reporting:dashboard_lots": READ_ALL,
    "reporting:activity": PEOPLE,  # per named team member: not the read-only role
}
