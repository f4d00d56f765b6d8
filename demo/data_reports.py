"""The demo's progress reports, as tables: when each running HIT's next report falls due, and the
Dementia HIT's reports from its first to the one now waiting for the programme manager. Loaded by
demo/reports.py."""

from __future__ import annotations

from dataclasses import dataclass

from reporting.enums import FundingStatus, RiskKind

INTERVAL_MONTHS = 6

# Days from today to each HIT's next (first) due date. Negative: the report is overdue; within 14
# days: the reminder run has opened it; later: not opened yet. A suspended HIT's schedule is paused.
NEXT_DUE_IN_DAYS = {
    "stroke": -20,  # overdue, and its director's post is vacant (DELIBERATE_GAPS)
    "drugs-and-alcohol": -35,  # overdue
    "avoidable-admissions": 9,
    "pain-management": 12,
    "child-injury-prevention": 40,
    "frailty": 55,
    "chronic-kidney-disease": 70,
    "young-peoples-mental-health": 85,
    "diabetes": 100,
    "maternity": 120,
    "sexual-health": 160,
    "copd": 30,
}
# The Dementia HIT's current report falls due this many days from today; the earlier ones one
# interval apart before it.
DEMENTIA_NEXT_DUE_IN_DAYS = 10


@dataclass(frozen=True)
class ReportSpec:
    """One Dementia HIT report. Dates are in days relative to the report's due date."""

    ratings: dict[str, tuple[int, str]]
    funding: str
    funding_notes: str
    capacity_notes: str
    milestones: tuple[tuple[str, int, int | None], ...] = ()  # (title, due, met: None if not yet)
    quick_wins: tuple[tuple[str, int, str], ...] = ()  # (title, delivered, description)
    outcomes: tuple[tuple[str, str, bool], ...] = ()  # (domain code, description, intended)
    risks: tuple[tuple[str, str, str, int], ...] = ()  # (kind, description, how handled, raised)
    resolve_carried: int | None = None  # days (from due) the risks carried forward were resolved
    changes_requested: str = ""  # the programme manager's comment before the resubmission
    accepted: bool = True
    submitted_days_before_due: int = 3
    snapshots: bool = False


DEMENTIA_REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec(
        ratings={
            "W1": (2, "Stakeholder table agreed with the memory service, GPs and the carers' centre."),
            "W2": (2, "Six of seven stakeholder categories take part; industry does not yet."),
            "W3": (1, "The CCG's mental health commissioner attends the management group as an observer."),
            "W4": (2, "Two carers sit on the management group and co-chair the living well group."),
            "C1": (2, "The executive sponsor chairs the quarterly steering group."),
            "C2": (3, "All three working groups have an academic and a service lead."),
            "C10": (2, "A carers' reference group meets before each management group."),
            "I1": (1, "A shared referral form is drafted; not yet in use."),
            "N3": (1, "The six-week diagnosis pilot is designed; ethics review under way."),
        },
        funding=FundingStatus.PENDING,
        funding_notes="Bid to the regional innovation fund for the diagnosis pilot submitted.",
        capacity_notes="Programme manager time funded by the host trust; no analyst yet.",
        milestones=(
            ("Referral pathway agreed by the memory service and GPs", -60, -75),
            ("Carers' reference group set up", -40, -30),
        ),
        quick_wins=(
            (
                "Memory café directory published",
                -50,
                "One list of the twelve memory cafés across the area, given out at diagnosis.",
            ),
        ),
        risks=(
            (
                RiskKind.RISK,
                "The memory nurse post in the north locality is vacant, so diagnosis waits may rise there.",
                "Recruitment under way; the central team covers two clinics a week.",
                -90,
            ),
        ),
    ),
    ReportSpec(
        ratings={
            "W1": (2, "Stakeholder table reviewed; the ambulance service joined the hospital care group."),
            "W2": (
                3,
                "Every stakeholder category now takes part, industry through a digital reminders firm.",
            ),
            "W3": (2, "The commissioner became a full member of the management group."),
            "W4": (2, "Carers shaped the post-diagnostic support offer; see the reference group's minutes."),
            "C1": (3, "The sponsor secured joint funding for the support worker (see conflicts)."),
            "C2": (3, "Dual leadership held through a change of academic lead in hospital care."),
            "C8": (2, "Information-governance leads named; the data-sharing agreement is in draft."),
            "C10": (2, "Reference group members trained as co-reviewers of service changes."),
            "I1": (2, "The shared referral form is used by 31 of 48 practices."),
            "N3": (2, "The diagnosis pilot started in two localities, with an evaluation plan."),
        },
        funding=FundingStatus.SECURED,
        funding_notes="Regional innovation fund: two years for the diagnosis pilot and its evaluation.",
        capacity_notes="A 0.4 analyst joined from the university in month four.",
        milestones=(("Six-week diagnosis pilot starts in two localities", -100, -80),),
        outcomes=(
            (
                "organisational-efficiency",
                "Median wait from referral to diagnosis in the pilot localities down from 14 to 9 weeks.",
                True,
            ),
        ),
        risks=(
            (
                RiskKind.CONFLICT,
                "Two partners disagreed on who funds the post-diagnostic support worker.",
                "Taken to the executive sponsor; joint funding agreed until the end of the financial year.",
                -120,
            ),
        ),
        resolve_carried=-45,
        changes_requested="Please add the evidence behind the commissioner rating (W3) and the pilot's wait "
        "figures before I accept the report.",
    ),
    ReportSpec(
        ratings={
            "W1": (3, "Every stakeholder in the table has a named role and outcome; reviewed each quarter."),
            "W2": (3, "All categories take part; the council's public health team leads on prevention."),
            "W3": (2, "The commissioner co-leads the business case for rolling out the pilot."),
            "W4": (3, "Carers vote on the management group; two co-authored the evaluation protocol."),
            "C1": (3, "The sponsor presented the pilot to the trust board."),
            "C2": (3, "Dual leadership in all three groups."),
            "C8": (3, "Data-sharing agreement signed by both Caldicott guardians."),
            "C10": (3, "The public review group found PPI built into every structure."),
            "I1": (2, "Shared referral form in 44 of 48 practices; support plans shared with GPs."),
            "I3": (2, "Business case for area-wide roll-out with the commissioner."),
            "N3": (2, "Pilot evaluation at six months: see outcomes."),
            "N6": (1, "Delirium awareness training for ward staff being piloted on two wards."),
        },
        funding=FundingStatus.SECURED,
        funding_notes="Innovation fund in its second year; roll-out depends on the business case.",
        capacity_notes="Analyst time extended; a second carers' co-ordinator funded by the council.",
        milestones=(
            ("Data-sharing agreement signed", -80, -70),
            ("Delirium screening on two acute wards", -30, -10),
        ),
        quick_wins=(
            (
                "Delirium screening on two acute wards",
                -10,
                "The 4AT screen is now part of admission for over-75s on two medical wards.",
            ),
        ),
        outcomes=(
            (
                "cultural-efficacy",
                "Carers report feeling part of planning: 18 of 21 reference group members in the annual check.",
                True,
            ),
            (
                "organisational-efficiency",
                "More referrals than expected from practices outside the pilot, lengthening waits there.",
                False,
            ),
        ),
        risks=(
            (
                RiskKind.RISK,
                "Referrals from outside the pilot localities may swamp the two pilot clinics.",
                "Referral criteria re-sent to all practices; weekly wait monitoring by the analyst.",
                -40,
            ),
        ),
    ),
    # The current report: submitted early, waiting for the programme manager.
    ReportSpec(
        ratings={
            "W1": (3, "Stakeholder table reviewed at the last management group."),
            "W2": (3, "All categories take part."),
            "W3": (3, "The commissioner now chairs the roll-out board."),
            "W4": (3, "Carers co-designed the roll-out's support plan template."),
            "C1": (3, "The sponsor is leading the renewal of the HIT's accreditation."),
            "C2": (3, "Dual leadership in all three groups."),
            "C10": (3, "Carers sit on the roll-out board."),
            "I1": (3, "Support plans shared with GPs and community nursing through the shared record."),
            "I3": (2, "Roll-out business case approved in principle; funding decision due next quarter."),
            "N3": (3, "Pilot evaluation published as a preprint with the university."),
            "N6": (2, "Delirium training extended to four wards and two care homes."),
        },
        funding=FundingStatus.AT_RISK,
        funding_notes="The innovation fund ends in four months; roll-out funding not yet confirmed.",
        capacity_notes="The analyst's contract ends with the innovation fund.",
        milestones=(
            ("Pilot evaluation published", -20, -25),
            ("Roll-out business case approved", 60, None),
        ),
        quick_wins=(
            (
                "Support plan template co-designed with carers",
                -30,
                "Carers and nurses wrote it together; in use in both pilot localities.",
            ),
        ),
        outcomes=(
            (
                "organisational-efficiency",
                "Median wait from referral to diagnosis in the pilot localities: 6.5 weeks (target six).",
                True,
            ),
            (
                "technological-effectiveness",
                "Support plans reach GPs through the shared care record instead of letters.",
                True,
            ),
        ),
        resolve_carried=-15,
        accepted=False,
        submitted_days_before_due=12,
        snapshots=True,
    ),
)
