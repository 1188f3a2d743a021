"""Word classes the language reader decides with, and the small morphology that finds them.

The lists name lexical classes (verbs of delivery, verbs of change, artefact nouns...), not
example sentences: a statement is read by where these words sit in it, so new sentences made
of words of the same classes are read the same way.
"""

from __future__ import annotations

from functools import lru_cache


def word_set(text: str) -> frozenset[str]:
    """The words of a whitespace-separated list, as a set."""
    return frozenset(text.split())


# Verbs that name work to be done: their object is an artefact or an activity.
DELIVER_VERBS = word_set("""
    launch ship release build implement migrate write run recruit hire deliver create redesign
    document complete finish integrate roll set publish host fix move upgrade revamp add pass
    speak interview send open train digitise digitize replace refit install deploy develop design
    draft prepare produce organise organize plan conduct perform test pilot prototype introduce
    establish define map audit update refactor rewrite rebuild refresh renovate automate
    standardise standardize consolidate decommission retire sunset deprecate remove adopt enable
    translate localise localize attend present record film teach mentor coach contact call email
    post submit file apply procure purchase buy lease select choose evaluate assess research
    investigate explore analyse analyze study benchmark report facilitate schedule stand spin kick
    start begin finalise finalize provide offer support extend replatform modernise modernize
    hold configure connect certify obtain negotiate sponsor organise curate collect gather compile
    outline draw sketch code program script refurbish equip stock furnish construct erect
    relocate merge split rename rebrand announce distribute print mail visit survey shoot
    resolve answer respond onboard convert deploy instrument track measure monitor go
    identify review transcribe annotate align correct label caption
    """)

# Verbs that name a change in a measured quantity.
METRIC_VERBS = word_set("""
    increase raise grow reduce cut lower improve lift boost decrease shrink shorten speed
    accelerate expand minimise minimize maximise maximize double triple quadruple halve drop
    slash trim drive push widen deepen strengthen optimise optimize simplify ease enhance elevate
    eliminate lessen curb decline diminish heighten multiply scale tighten shave compress lose
    """)

# Verbs that name a result to reach; an artefact as their object makes them work after all.
RESULT_VERBS = word_set("""
    reach achieve attain hit generate get earn win gain acquire sign close retain attract secure
    make become be have see delight help empower exceed save return bring land book sell recover
    serve engage activate welcome turn surpass beat top break wow satisfy please ensure
    """)

# Verbs that hold a level rather than change it.
MAINTAIN_VERBS = word_set("keep maintain sustain preserve protect remain stay hold defend")
STATE_VERBS = word_set("stay stays remain remains staying remaining")

# "Add 500 paying customers" is a result; "Add 10 templates" is work: the object decides.
AMBIGUOUS_DELIVER = word_set("add onboard convert resolve answer respond serve deliver")

# Past participles that report work done in a statement without a leading verb.
DONE_WORDS = word_set("""
    launched shipped released built implemented migrated completed delivered published hired
    deployed written finished opened installed introduced established rolled upgraded integrated
    redesigned documented replaced
    """)

ARTEFACT_NOUNS = word_set("""
    app application website site page portal dashboard system module tool feature version beta
    prototype mvp process guide guideline playbook handbook manual policy model report course
    curriculum training programme program plan roadmap strategy campaign integration migration
    api sdk library framework platform infrastructure database warehouse form template video
    podcast episode newsletter blog article study paper documentation docs wiki faq audit
    certification accreditation compliance office building store ward centre center clinic
    kiosk scanner hardware server cluster network team function role hub lab studio brand logo
    identity flow wizard chat chatbot bot add-on addon plugin extension log authentication login
    sso partnership agreement catalogue catalog checklist process pipeline infrastructure
    repository repo script service product release rollout setup certificate licence license
    testbed driver benchmark harness specification spec rfc dataset schema endpoint cli package
    installer binary suite
    """)

EVENT_NOUNS = word_set("""
    workshop meeting session event consultation retro retrospective review offsite webinar
    hackathon conference interview demo briefing seminar forum standup party fair meetup
    experiment test survey simulation drill exercise talk presentation course class lecture
    """)

PERSON_NOUNS = word_set("""
    user customer member patient resident tenant reader student pupil visitor subscriber client
    guest passenger citizen learner buyer shopper viewer listener player fan parent family people
    team employee staff developer driver rider traveller traveler caller applicant claimant owner
    business workspace account partner hospital school household borrower donor volunteer
    merchant seller admin organisation organization company clinician nurse doctor teacher
    """)

# Nouns that are results a team observes rather than things it makes.
RESULT_NOUNS = word_set("""
    revenue arr mrr booking deal contract sale logo seat signup sign-up order subscription download
    install lead opportunity profit income retweet mention follower view visit impression
    """)

DETERMINERS = word_set(
    "the a an our their its his her your all every each this that these those some any no"
)

# Words that end a noun phrase when looking for its head.
PHRASE_BREAKS = word_set("""
    of for to in on at with by from into onto across within per and or but that who which where
    when so as than via through over under above below
    """)

# Statement forms that start with a subject rather than an imperative verb.
SUBJECT_STARTERS = word_set(
    "more fewer less most every all each no zero new our the at least only almost nearly"
)

STOP_WORDS = word_set("""
    a an the of for to in on at by with from into our their its and or per this that these those
    is are be was were will we all each every than as so it them they
    """)

# Cardinal numbers written as words, with their values. "hundred" and "dozen" multiply the
# number before them ("two hundred", "three dozen"); "thousand", "million" and "billion" scale
# the whole number before them ("twenty five thousand").
NUMBER_WORDS = {
    "zero": 0.0,
    "one": 1.0,
    "two": 2.0,
    "three": 3.0,
    "four": 4.0,
    "five": 5.0,
    "six": 6.0,
    "seven": 7.0,
    "eight": 8.0,
    "nine": 9.0,
    "ten": 10.0,
    "eleven": 11.0,
    "twelve": 12.0,
    "thirteen": 13.0,
    "fourteen": 14.0,
    "fifteen": 15.0,
    "sixteen": 16.0,
    "seventeen": 17.0,
    "eighteen": 18.0,
    "nineteen": 19.0,
    "twenty": 20.0,
    "thirty": 30.0,
    "forty": 40.0,
    "fifty": 50.0,
    "sixty": 60.0,
    "seventy": 70.0,
    "eighty": 80.0,
    "ninety": 90.0,
    "hundred": 100.0,
    "dozen": 12.0,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
}
# Number words that multiply or scale the number before them.
NUMBER_MULTIPLIERS = frozenset(("hundred", "dozen", "thousand", "million", "billion"))
# Tens that take a unit after them: "twenty five", "twenty-five".
NUMBER_TENS = frozenset(
    ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
)

# Fractions written as words, as a share of one: "half", "a third", "two thirds".
FRACTION_WORDS = {
    "half": 0.5,
    "halves": 0.5,
    "third": 1 / 3,
    "thirds": 1 / 3,
    "quarter": 0.25,
    "quarters": 0.25,
    "fifth": 0.2,
    "fifths": 0.2,
    "tenth": 0.1,
    "tenths": 0.1,
    "one-half": 0.5,
    "one-third": 1 / 3,
    "two-thirds": 2 / 3,
    "one-quarter": 0.25,
    "three-quarters": 0.75,
    "one-fifth": 0.2,
    "one-tenth": 0.1,
}


def _weighted(*groups: tuple[float, str]) -> dict[str, float]:
    """A word -> weight table from (weight, word list) groups."""
    return {word: weight for weight, text in groups for word in text.split()}


# Focus weights: how strongly a word points at customers' lives or at the business's results.
CUSTOMER_WEIGHTS = _weighted(
    (
        1.0,
        """
        user customer member tenant reader student pupil visitor client guest passenger citizen
        learner parent family people borrower traveller traveler caller applicant rider
        shopper viewer listener player household
        """,
    ),
    (
        1.5,
        """
        patient resident easy easier accessible safe safety load step click tap delivery
        delivered retention error experience availability rating incident active attendance
        repeat use using ticket queue resolution abandon abandoned
        """,
    ),
    (
        2.0,
        """
        satisfaction nps csat delight delightful happy effortless friction confusion wait
        waiting crash latency uptime downtime outage accessibility activation adoption usage
        engagement engaged onboarding complaint on-time readmission infection usability
        frustration trust love useful painless seamless intuitive smooth convenient no-show
        reliable
        """,
    ),
    (
        0.75,
        """
        support help survey session search percentile p95 p90 p99 resolve refund lost absence
        reading read borrow visit occupancy invite daily weekly monthly appointment simple fast
        late time
        """,
    ),
    # Where customers meet the product: a faint lean when nothing else speaks.
    (0.5, "online app mobile self-serve digital in-app web"),
)

BUSINESS_WEIGHTS = _weighted(
    (
        1.0,
        """
        account partner referral opportunity efficiency productivity utilisation utilization
        fuel attainment purchase headcount order-value membership contributor maintainer
        employee time-to-hire win clientbase traffic pageview
        pageviews views visits readership organic
        """,
    ),
    (
        1.5,
        """
        pricing expansion renewal contract enterprise segment market wholesale inventory
        shrinkage budget savings sale lead convert acquisition tender bid competitive
        """,
    ),
    (
        2.0,
        """
        revenue mrr arr margin ebitda profit profitability cost spend cac bookings conversion
        quota pipeline deal sales price runway cash burn expense roi ltv arpu aov upsell paying
        paid monetisation monetization income payback gmv write-off overhead gross net
        valuation investment investor funding sell sponsor sponsorship donation treasury
        fundraising fundraise grant enps
        """,
    ),
)

_IRREGULAR = {
    "built": "build",
    "written": "write",
    "wrote": "write",
    "ran": "run",
    "held": "hold",
    "kept": "keep",
    "sent": "send",
    "got": "get",
    "won": "win",
    "made": "make",
    "brought": "bring",
    "sold": "sell",
    "began": "begin",
    "begun": "begin",
    "people": "people",
    "is": "be",
    "are": "be",
    "was": "be",
    "were": "be",
    "children": "child",
    "analyses": "analysis",
    "businesses": "business",
    "sales": "sales",
    "bookings": "bookings",
    "news": "news",
    "series": "series",
}

_KNOWN = (
    DELIVER_VERBS
    | METRIC_VERBS
    | RESULT_VERBS
    | MAINTAIN_VERBS
    | ARTEFACT_NOUNS
    | EVENT_NOUNS
    | PERSON_NOUNS
    | RESULT_NOUNS
    | frozenset(CUSTOMER_WEIGHTS)
    | frozenset(BUSINESS_WEIGHTS)
)


def _candidates(word: str) -> tuple[str, ...]:
    """Possible base forms of an inflected word, most likely first."""
    out: list[str] = []
    if word.endswith("ies") and len(word) > 4:
        out.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 3:
        out.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        out.append(word[:-1])
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            out.append(stem)
            out.append(stem + "e")
            if len(stem) > 2 and stem[-1] == stem[-2]:
                out.append(stem[:-1])
            if stem.endswith("i"):
                out.append(stem[:-1] + "y")
    return tuple(out)


@lru_cache(maxsize=1 << 15)
def lemma(word: str) -> str:
    """The base form of a lower-case word: a known word from the lists, or the word itself."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word in _KNOWN:
        return word
    for form in _candidates(word):
        if form in _KNOWN:
            return form
    # Unknown words keep a plain plural-stripped form so that similarity still matches them.
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def is_known(word: str) -> bool:
    """True for a lower-case word of the lists, a function word or a stop word."""
    return word in _KNOWN or word in PHRASE_BREAKS or word in STOP_WORDS or lemma(word) in _KNOWN
