from django.db import models


class Role(models.TextChoices):
    TRAINEE = "trainee", "Trainee"
    MENTOR = "mentor", "Mentor / supervisor"
    PROGRAMME_DIRECTOR = "programme_director", "Programme director"
    EXAM_BOARD = "exam_board", "Exam board member"
    GRADER = "grader", "Grader"
    NETWORK_ADMIN = "network_admin", "Network administrator"
    # The people who run the scanner at a site (SCMR counts them among CMR professionals): they join
    # their centre's live rooms and may request on-call expert help.
    TECHNOLOGIST = "technologist", "Technologist / radiographer"
    NURSE = "nurse", "Nurse"
