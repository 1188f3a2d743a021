"""The template helpers: numbers, percentages, progress bars and status badges."""

from __future__ import annotations

from django.template import Context, Template

from constellation.server.web.templatetags.web import grade, num, percent, status_label, with_unit


def render(source: str, **context: object) -> str:
    return Template("{% load web %}" + source).render(Context(context))


def test_numbers_drop_trailing_zeros_and_group_thousands() -> None:
    assert num(1234.0) == "1,234"
    assert num(41.50) == "41.5"
    assert num(0.25) == "0.25"
    assert num(None) == "—"


def test_units_follow_numbers() -> None:
    assert with_unit(41, "%") == "41%"
    assert with_unit(3, "days") == "3 days"
    assert with_unit(None, "days") == "—"


def test_percent_and_grade() -> None:
    assert percent(0.4166) == "42%"
    assert percent(1.7) == "100%"
    assert grade(0.66) == "0.7"


def test_a_progress_bar_takes_its_width_from_the_progress() -> None:
    html = render("{% progress_bar value 'Progress of X' %}", value=0.4375)
    assert 'style="width: 43.8%"' in html
    assert 'role="progressbar"' in html
    assert 'aria-valuenow="44"' in html
    assert 'aria-label="Progress of X"' in html
    assert ">44%<" in html


def test_a_progress_bar_is_clamped() -> None:
    assert 'style="width: 100.0%"' in render("{% progress_bar 3 %}")
    assert 'style="width: 0.0%"' in render("{% progress_bar None %}")


def test_a_status_badge_says_the_status_in_words_not_only_colour() -> None:
    html = render("{% status_badge 'at_risk' %}")
    assert 'class="status status-at_risk"' in html
    assert "At risk" in html
    assert status_label("off_track") == "Off track"
    assert "Unknown" in render("{% status_badge None %}")
