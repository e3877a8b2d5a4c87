"""Partnerships (partnerships/views*.py). The read-only role sees needs, trainings, the journal and the
ESS directory — the names of people proposed or trained are hidden on those pages (counts only) —, and
gets 403 on every edit URL and on the outcome follow-up lists (they name people)."""

from tests.access_shapes import EDITORS_ONLY, PEOPLE, POST_ONLY, READ_ALL

MATRIX = {
    "partnerships:index": READ_ALL,
    # needs and proposals
    "partnerships:need_list": READ_ALL,
    "partnerships:need_upcoming": READ_ALL,
    "partnerships:need_create": EDITORS_ONLY,
    "partnerships:need_detail": READ_ALL,  # proposals' names hidden for the read-only role
    "partnerships:need_update": EDITORS_ONLY,
    "partnerships:need_delete": EDITORS_ONLY,
    "partnerships:proposal_create": EDITORS_ONLY,
    "partnerships:proposal_update": EDITORS_ONLY,
    "partnerships:proposal_state": POST_ONLY,
    "partnerships:proposal_delete": EDITORS_ONLY,
    "partnerships:proposal_hire": EDITORS_ONLY,
    # trainings
    "partnerships:training_list": READ_ALL,
    "partnerships:training_create": EDITORS_ONLY,
    "partnerships:training_detail": READ_ALL,  # trainees' names hidden for the read-only role
    "partnerships:training_update": EDITORS_ONLY,
    "partnerships:training_delete": EDITORS_ONLY,
    "partnerships:trainee_create": EDITORS_ONLY,
    "partnerships:trainee_update": EDITORS_ONLY,
    "partnerships:trainee_delete": EDITORS_ONLY,
    "partnerships:trainee_hours": POST_ONLY,
    # the journal
    "partnerships:journal_list": READ_ALL,
    "partnerships:journal_follow_ups": READ_ALL,
    "partnerships:journal_create": EDITORS_ONLY,
    "partnerships:journal_detail": READ_ALL,
    "partnerships:journal_update": EDITORS_ONLY,
    "partnerships:journal_delete": EDITORS_ONLY,
    "partnerships:journal_done": POST_ONLY,
    # outcomes to record: people by name
    "partnerships:outcomes_end": PEOPLE,
    "partnerships:outcomes_six_months": PEOPLE,
    "partnerships:outcome_record": POST_ONLY,
    # the ESS directory and its brochure
    "partnerships:directory": READ_ALL,
    "partnerships:brochure_pdf": READ_ALL,
}


def _need():
    from tests.partnerships.factories import NeedFactory

    return {"pk": NeedFactory().pk}


def _proposal():
    from tests.partnerships.factories import ProposalFactory

    return {"pk": ProposalFactory().pk}


def _training():
    from tests.partnerships.factories import TrainingFactory

    return {"pk": TrainingFactory().pk}


def _trainee():
    from tests.partnerships.factories import TraineeFactory

    return {"pk": TraineeFactory().pk}


def _entry():
    from tests.partnerships.factories import JournalEntryFactory

    return {"pk": JournalEntryFactory().pk}


def _assignment():
    from tests.hours.factories import AssignmentFactory

    return {"pk": AssignmentFactory().pk}


URL_KWARGS = {
    **{
        f"partnerships:{name}": _need
        for name in ("need_detail", "need_update", "need_delete", "proposal_create")
    },
    **{
        f"partnerships:{name}": _proposal
        for name in ("proposal_update", "proposal_state", "proposal_delete", "proposal_hire")
    },
    **{
        f"partnerships:{name}": _training
        for name in ("training_detail", "training_update", "training_delete", "trainee_create")
    },
    **{f"partnerships:{name}": _trainee for name in ("trainee_update", "trainee_delete", "trainee_hours")},
    **{
        f"partnerships:{name}": _entry
        for name in ("journal_detail", "journal_update", "journal_delete", "journal_done")
    },
    "partnerships:outcome_record": _assignment,
}
