# An auth script without check_password or groups_for_user: a request it should check fails (500).
VALUE = 1
