from tests.access_shapes import READ_ALL

MATRIX = {"search": READ_ALL}  # participants are searched only for the team (tests/site/test_search.py)
