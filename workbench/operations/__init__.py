"""Every edit a person can make, as one named operation: the command line and the
terminal UI call these same functions, and nothing else writes to a project.

Each operation validates its input, makes its change in one transaction with its
history entry, numbers any new record inside that transaction, and returns what it
saved. An edit made from a screen passes ``seen``, the record as that screen showed
it: if someone else changed the same field since, the edit is refused with a
``ConflictError`` rather than written over theirs. Lists are changed element by
element against the file, so two people adding at once both keep their addition.

One module an area; ``records`` holds the shapes they share.
"""

from workbench.operations.approval import (
    assign,
    fix_thresholds,
    fix_thresholds_before_first_run,
    import_evidence,
    open_point,
    sign_off,
    unassign,
    withdraw_signoff,
)
from workbench.operations.checklist import edit_item, tick
from workbench.operations.decisions import (
    decide,
    edit_decision,
    link_decision,
    park_question,
    question_to_decision,
    remove_decision,
    remove_question,
    resolve_question,
    unlink_decision,
)
from workbench.operations.incident import (
    add_escalation_step,
    add_on_call_role,
    remove_escalation_step,
    remove_on_call_role,
    set_on_call,
    set_playbook_steps,
    set_response_time,
    set_rollback_tested,
)
from workbench.operations.monitoring import (
    add_alert,
    add_log_entry,
    edit_alert,
    edit_retention,
    move_log_entry,
    remove_alert,
    remove_log_entry,
    switch_alert,
)
from workbench.operations.oversight import (
    add_measure,
    edit_measure,
    remove_measure,
    set_measure_status,
)
from workbench.operations.project import (
    create_project,
    default_user,
    minimums,
    project_record,
    project_state,
    read_project_toml,
    read_template,
    readiness,
    required_signoffs,
    template_for,
)
from workbench.operations.rollout import (
    add_stage,
    choose_pattern,
    edit_pattern,
    edit_rollout_settings,
    edit_stage,
    move_stage,
    remove_stage,
    set_stage_status,
)
from workbench.operations.testset import (
    add_category,
    edit_category,
    edit_test_set,
    remove_category,
)
from workbench.operations.thresholds import (
    add_threshold,
    clear_measurement,
    measure,
    remove_threshold,
    set_reasoning,
    set_target,
)
from workbench.operations.workshop import (
    SinceLastSession,
    edit_project,
    end_session,
    go_to_step,
    last_session_mark,
    open_session,
    record_presence,
    since_last_session,
    start_session,
)

__all__ = [
    "SinceLastSession",
    "add_alert",
    "add_category",
    "add_escalation_step",
    "add_log_entry",
    "add_measure",
    "add_on_call_role",
    "add_stage",
    "add_threshold",
    "assign",
    "choose_pattern",
    "clear_measurement",
    "create_project",
    "decide",
    "default_user",
    "edit_alert",
    "edit_category",
    "edit_decision",
    "edit_item",
    "edit_measure",
    "edit_pattern",
    "edit_project",
    "edit_retention",
    "edit_rollout_settings",
    "edit_stage",
    "edit_test_set",
    "end_session",
    "fix_thresholds",
    "fix_thresholds_before_first_run",
    "go_to_step",
    "import_evidence",
    "last_session_mark",
    "link_decision",
    "measure",
    "minimums",
    "move_log_entry",
    "move_stage",
    "open_point",
    "open_session",
    "park_question",
    "project_record",
    "project_state",
    "question_to_decision",
    "read_project_toml",
    "read_template",
    "readiness",
    "record_presence",
    "remove_alert",
    "remove_category",
    "remove_decision",
    "remove_escalation_step",
    "remove_log_entry",
    "remove_measure",
    "remove_on_call_role",
    "remove_question",
    "remove_stage",
    "remove_threshold",
    "required_signoffs",
    "resolve_question",
    "set_measure_status",
    "set_on_call",
    "set_playbook_steps",
    "set_reasoning",
    "set_response_time",
    "set_rollback_tested",
    "set_stage_status",
    "set_target",
    "sign_off",
    "since_last_session",
    "start_session",
    "switch_alert",
    "template_for",
    "tick",
    "unassign",
    "unlink_decision",
    "withdraw_signoff",
]  # fmt: skip
