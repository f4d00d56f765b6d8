"""Edit and create pages of the accreditation app."""

EDIT_CASES: list = []
CREATE_CASES: list = []
