"""The starter file `okr new` writes: a small, valid plan whose comments teach how to write OKRs."""

from __future__ import annotations

from datetime import date

from constellation.core.periods import period_containing

_STARTER = """\
# An OKR file: strategy first, then the org chart, health measures (KPIs) and OKRs.
# Check it with `okr lint {file}`; tidy its layout with `okr fmt {file}`.
# The whole format is described in docs/okr-file.md.
version: 1
organization: Example Company
period: {period}                 # the default period of every objective: YYYY-Qn or YYYY

# Strategy comes first: OKRs exist to move the bets you have chosen, not a list of chores.
strategy:
  vision: Every small business runs on numbers it trusts.
  mission: Make bookkeeping effortless for owners who are not accountants.
  levers:                       # the strategic bets; every objective should model one of them
    - id: self-serve
      title: Owners set up and succeed without talking to us
    - id: retention
      title: Customers stay because the product keeps paying off
    - id: partners
      title: Accountants recommend us to their clients

# Teams are the org chart: who belongs where. They are NOT an OKR cascade; a team writes its own
# objectives and links them to others with `aligns_to`.
teams:
  - id: company
    name: Example Company
  - id: product
    name: Product
    parent: company
  - id: success
    name: Customer Success
    parent: company

# KPIs are health measures: watched all the time, not pushed this quarter. A healthy range says
# what "fine" looks like; an objective lists a KPI in `guardrails` to promise not to break it.
kpis:
  - id: support-backlog
    title: Open support tickets older than two days
    direction: decrease         # increase | decrease: which way is healthier
    healthy: "<= 40"            # <= x | >= x | a..b (quote it: YAML reads a leading > oddly)
    current: 25

objectives:
  # An objective is qualitative and names an outcome for someone. Key results say how you will
  # know it happened: 2 to 4 changes in behaviour or results, each "from A to B".
  - id: first-week-value
    team: product
    title: New owners get real value in their first week
    focus: customer             # customer | business | both
    levers: [self-serve]
    guardrails: [support-backlog]   # pushing onboarding must not flood support
    key_results:
      - id: week1-invoices
        title: Raise owners who send an invoice in week one from 35% to 55%
        baseline: 35
        target: 55
        unit: "%"
      - id: setup-time
        title: Cut the median time to a first bank sync from 3 days to 1 day
        baseline: 3
        target: 1
        unit: days
      - id: onboarding-nps
        title: Grow onboarding satisfaction from 32 to 45 NPS
        baseline: 32
        target: 45
        unit: NPS
      # A bad key result, kept here as a warning:
      # - title: Launch the mobile app
      # It is an output (work to do), not an outcome: the app can ship and change nothing.
      # Ask what changes for owners once it is live, and measure that instead, e.g.
      # "Raise owners who reconcile weekly on mobile from 0 to 2,000".
    initiatives:                # outputs belong here, not among key results
      - title: Guided setup wizard
        moves: [week1-invoices, setup-time]
      - title: Mobile app with receipt capture
        moves: [onboarding-nps]

  - id: paying-customers-stay
    team: success
    title: Paying customers stay with us because the product pays off
    focus: business             # `okr lint` will ask this team for a customer objective too
    levers: [retention, partners]
    # Alignment links this objective to the one it supports. It never copies key results:
    # each team writes its own, about what it can change.
    aligns_to: [first-week-value]
    key_results:
      - id: logo-retention
        title: Raise 90-day logo retention from 81% to 88%
        baseline: 81
        target: 88
        unit: "%"
      - id: partner-referrals
        title: Grow monthly sign-ups referred by accountants from 40 to 90
        baseline: 40
        target: 90
    initiatives:
      - title: Quarterly health review for the 200 largest accounts
        moves: [logo-retention]
      - title: Partner programme for accounting firms
        moves: [partner-referrals]
"""


def starter_text(today: date | None = None, file: str = "okrs.yaml") -> str:
    """The commented starter file, for the quarter that contains `today`."""
    period = period_containing(today or date.today()).key
    return _STARTER.format(period=period, file=file)
