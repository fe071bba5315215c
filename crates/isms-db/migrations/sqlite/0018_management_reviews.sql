-- Management reviews (ISO 27001 9.3) and the actions they decide. The inputs (9.3.2)
-- are compiled when the review is created and kept as JSON (isms_domain::review::
-- ReviewInputs); they change only by an explicit refresh while the review is planned.
-- SQLite flavour. Keep in step with ../postgres/0018_management_reviews.sql.

CREATE TABLE management_reviews (
    id             BLOB    NOT NULL PRIMARY KEY,
    org_id         BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    number         BIGINT  NOT NULL,            -- shown as MR-001
    title          TEXT    NOT NULL,
    planned_on     TEXT    NOT NULL,
    held_on        TEXT,
    status         TEXT    NOT NULL,            -- planned | held | approved (locked)
    chair_id       BLOB    REFERENCES users (id) ON DELETE SET NULL,
    attendee_ids   TEXT    NOT NULL,            -- JSON array of member user ids
    other_attendees TEXT   NOT NULL,            -- JSON array of free-text names
    inputs         TEXT    NOT NULL,            -- JSON ReviewInputs, frozen
    inputs_as_of   TEXT    NOT NULL,
    notes          TEXT    NOT NULL,            -- JSON {section key: discussion}
    decisions      TEXT    NOT NULL,
    approved_by    BLOB    REFERENCES users (id) ON DELETE SET NULL,
    approved_at    BIGINT,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    version        BIGINT  NOT NULL
);
CREATE UNIQUE INDEX management_reviews_number_uq ON management_reviews (org_id, number);
CREATE INDEX management_reviews_status_idx ON management_reviews (org_id, status, number);
CREATE INDEX management_reviews_planned_idx ON management_reviews (org_id, planned_on, number);

-- An action decided at a review; it is created at once as a roadmap task or a
-- corrective action, and linked back here.
CREATE TABLE management_review_actions (
    id                    BLOB    NOT NULL PRIMARY KEY,
    org_id                BLOB    NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    review_id             BLOB    NOT NULL REFERENCES management_reviews (id) ON DELETE CASCADE,
    position              BIGINT  NOT NULL,
    description           TEXT    NOT NULL,
    kind                  TEXT    NOT NULL,     -- task | corrective_action
    owner_id              BLOB    REFERENCES users (id) ON DELETE SET NULL,
    due_on                TEXT,
    task_id               BLOB    REFERENCES tasks (id) ON DELETE SET NULL,
    corrective_action_id  BLOB    REFERENCES corrective_actions (id) ON DELETE SET NULL,
    created_at            BIGINT  NOT NULL
);
CREATE UNIQUE INDEX management_review_actions_uq ON management_review_actions (org_id, review_id, position);
CREATE INDEX management_review_actions_task_idx ON management_review_actions (org_id, task_id);
CREATE INDEX management_review_actions_ca_idx ON management_review_actions (org_id, corrective_action_id);
