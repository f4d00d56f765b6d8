"""Edit and create pages of the reporting app."""

EDIT_CASES: list = []
CREATE_CASES: list = []
