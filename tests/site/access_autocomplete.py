from tests.access_shapes import PEOPLE

# The participant kind is the strictest; the other kinds answer 200 to every role
# (tests/site/test_autocomplete.py).
MATRIX = {"autocomplete": PEOPLE}
URL_KWARGS = {"autocomplete": lambda: {"kind": "participant"}}
