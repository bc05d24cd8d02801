"""ui.jobs on a page: every job has one place for its progress, and a job inside another has none of its own."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _nested_jobs():
    import streamlit as st

    from ui import jobs

    def inner(hooks):
        return 2

    def outer(hooks):
        st.session_state["inner_placeholder"] = jobs.placeholder()
        return jobs.run("inner", "inner-key", None, inner) + 1

    st.session_state["result"] = jobs.run("outer", "outer-key", None, outer, box=jobs.placeholder())
    st.write("after the jobs")


def test_a_job_inside_another_takes_no_place_of_its_own():
    at = AppTest.from_function(_nested_jobs, default_timeout=30).run()
    assert not at.exception
    assert at.session_state["result"] == 3
    assert at.session_state["inner_placeholder"] is None
    # The outer job's placeholder (an empty element), then the text: nothing of the inner job.
    assert len(at.main.children) == 2
    assert at.markdown[0].value == "after the jobs"


def test_outside_a_script_run_there_is_no_placeholder():
    from ui import jobs

    assert jobs.placeholder() is None
