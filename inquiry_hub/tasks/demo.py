"""Generated tasks for ``seed-demo --scale``: a mid-year board, written with bulk inserts."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import insert

from inquiry_hub.activity.models import Activity
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.tasks import services as tasks
from inquiry_hub.tasks.models import ChecklistItem, Label, Task, TaskAssignee, TaskComment, task_labels
from inquiry_hub.tasks.services.columns import columns_of

VERBS = ("Préparer", "Relancer", "Relire", "Transcrire", "Coder", "Rédiger", "Organiser", "Contacter")
OBJECTS = (
    "la grille d'entretien",
    "l'entretien avec un bénévole",
    "la note de terrain du marché",
    "le compte rendu de réunion",
    "la synthèse intermédiaire",
    "la prise de rendez-vous",
    "le plan du rapport",
    "la restitution aux adhérent·es",
)
LABELS = ("entretiens", "rédaction", "logistique", "urgent", "partenaire", "analyse")
COMMENTS = (
    "Je m'en occupe cette semaine.",
    "Vu, merci !",
    "On en parle à la prochaine réunion ?",
    "C'est fait, à relire.",
    "Il manque encore deux relances.",
)


def scale_tasks(inquiry, students: list, rng: random.Random, count: int = 500) -> None:
    """``count`` tasks: about 85 % done, 5 % doing, 3 % in review, the rest (7 %) to do.

    A team of four does some 500 tasks in a year (about 12 a week) and keeps two to three weeks of
    work open at a time: some 75 open cards on the board, plus the latest done ones.
    """
    columns = {c.kind: c for c in columns_of(inquiry)}
    now = utcnow()
    today = now.date()
    labels = db.session.scalars(
        insert(Label).returning(Label.id, sort_by_parameter_order=True),
        [{"inquiry_id": inquiry.id, "name": name, "colour": k} for k, name in enumerate(LABELS)],
    ).all()
    positions = dict.fromkeys(columns, 0)
    rows = []
    for n in range(count):
        draw = rng.random()
        kind = "done" if draw < 0.85 else "doing" if draw < 0.9 else "review" if draw < 0.93 else "todo"
        created = now - timedelta(days=rng.randint(1, 150), minutes=rng.randint(0, 1440))
        updated = created + timedelta(days=rng.randint(0, 20)) if kind == "done" else created
        rows.append(
            {
                "inquiry_id": inquiry.id,
                "column_id": columns[kind].id,
                "phase_id": inquiry.phases[n % len(inquiry.phases)].id,
                "title": f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} ({n + 1})",
                "description": "Voir le compte rendu de la dernière réunion d'équipe.",
                "due_on": today + timedelta(days=rng.randint(-60, 40)) if rng.random() < 0.8 else None,
                "position": positions[kind],
                "version": 1,
                "shared_with_partner": rng.random() < 0.1,
                "created_by_id": rng.choice(students).id,
                "updated_by_id": rng.choice(students).id,
                "created_at": created,
                "updated_at": min(updated, now - timedelta(seconds=n + 1)),  # clamped ones stay distinct
            }
        )
        positions[kind] += 1
    # A task moved to "done" lands at the bottom: the column is in the order tasks were finished.
    finished = sorted(
        (r for r in rows if r["column_id"] == columns["done"].id), key=lambda r: r["updated_at"]
    )
    for position, row in enumerate(finished):
        row["position"] = position
    ids = db.session.scalars(insert(Task).returning(Task.id, sort_by_parameter_order=True), rows).all()
    assignees, tagged, checklist, comments, activities = [], [], [], [], []
    for task_id, row in zip(ids, rows, strict=True):
        for student in rng.sample(students, rng.choice((1, 1, 2))):
            assignees.append({"task_id": task_id, "user_id": student.id})
        for label_id in rng.sample(labels, rng.choice((0, 1, 1, 2))):
            tagged.append({"task_id": task_id, "label_id": label_id})
        steps = rng.randint(0, 4)
        for k in range(steps):
            checklist.append(
                {"task_id": task_id, "text": f"Étape {k + 1}", "position": k, "done": k < steps // 2}
            )
        for k in range(rng.randint(0, 4)):
            comments.append(
                {
                    "task_id": task_id,
                    "author_id": rng.choice(students).id,
                    "body": rng.choice(COMMENTS),
                    "created_at": row["created_at"] + timedelta(hours=k + 1),
                }
            )
        activities.append(
            {
                "inquiry_id": inquiry.id,
                "actor_id": row["created_by_id"],
                "room": "tasks",
                "verb": "tasks.created",
                "object_type": "Task",
                "object_id": task_id,
                "summary": row["title"],
                "created_at": row["created_at"],
            }
        )
    db.session.execute(insert(TaskAssignee), assignees)
    if tagged:
        db.session.execute(insert(task_labels), tagged)
    db.session.execute(insert(ChecklistItem), checklist)
    db.session.execute(insert(TaskComment), comments)
    db.session.execute(insert(Activity), activities)


# --- the demo board of seed-demo ----------------------------------------------------------


DEMO_TASKS = [
    (
        "Relire la commande du partenaire",
        "done",
        -40,
        [0],
        ["cadrage"],
        "framing",
        [("Lire la convention", True), ("Lister les questions", True)],
        [(1, "Fait, notes dans le carnet.")],
    ),
    ("Rédiger la note de cadrage", "done", -25, [1, 2], ["cadrage", "écrit"], "framing", [], []),
    (
        "Construire la grille d'entretien",
        "review",
        -3,
        [0, 2],
        ["entretiens"],
        "fieldwork",
        [("Thèmes", True), ("Relances", True), ("Test avec un binôme", False)],
        [
            (2, "@{0} j'ai ajouté une partie sur le bénévolat, tu relis ?"),
            (0, "Relu, deux remarques dans le doc."),
        ],
    ),
    (
        "Contacter les premières personnes à interroger",
        "doing",
        -5,
        [1],
        ["entretiens", "urgent"],
        "fieldwork",
        [("Liste des contacts", True), ("Mail de présentation", False), ("Relances téléphoniques", False)],
        [(0, "Le partenaire peut nous aider pour les contacts salarié·es.")],
    ),
    (
        "Planifier la restitution intermédiaire avec le partenaire",
        "todo",
        20,
        [0, 1],
        ["partenaire"],
        "analysis",
        [],
        [(0, "On propose deux dates ?"), ("P", "La semaine du 15 nous irait bien.")],
    ),
    (
        "Demander les consentements écrits",
        "doing",
        3,
        [2],
        ["éthique"],
        "fieldwork",
        [("Formulaire", True), ("Version FALC", False)],
        [],
    ),
    (
        "Observer une réunion du conseil d'administration",
        "todo",
        12,
        [1],
        ["observation"],
        "fieldwork",
        [],
        [],
    ),
    (
        "Transcrire les deux premiers entretiens",
        "todo",
        -2,
        [0],
        ["entretiens"],
        "fieldwork",
        [("Entretien 1", False), ("Entretien 2", False)],
        [],
    ),
    ("Mettre à jour le carnet de bord collectif", "doing", 1, [0, 1, 2], [], "fieldwork", [], []),
    ("Premier codage thématique", "todo", 45, [2], ["analyse"], "analysis", [], []),
    (
        "Préparer la séance de tutorat",
        "review",
        4,
        [1],
        [],
        "fieldwork",
        [("Ordre du jour", True)],
        [(1, "@{2} peux-tu ajouter le point sur le terrain ?")],
    ),
    (
        "Réserver la salle pour l'atelier de restitution",
        "todo",
        None,
        [],
        ["logistique"],
        "restitution",
        [],
        [],
    ),
]


def seed_board(inquiry, students, partner, index: int = 0) -> None:
    """A lively board: tasks in every column, some late, with checklists, comments, one shared.

    Tasks are dated back over the weeks since the inquiry began (so the tutor's burn-up has a history),
    and the second team is one task further on than the first (so the tutor's rows differ).
    """
    columns = {c.kind: c for c in tasks.columns_of(inquiry)}
    phases = {p.kind: p for p in inquiry.phases}
    today = date.today()
    now = utcnow()
    began = datetime.combine(min(inquiry.starts_on, today), datetime.min.time()) + timedelta(hours=9)
    span = max((now - began).days, 1)
    local = [s.email.split("@")[0] for s in students]
    ahead = index  # how many "doing" tasks this team has already finished
    for n, (title, kind, due, assignees, labels, phase, checklist, comments) in enumerate(DEMO_TASKS):
        if kind == "doing" and ahead:
            kind, ahead = "done", ahead - 1
        task = tasks.create_task(
            inquiry,
            title=title,
            column=columns[kind],
            actor=students[assignees[0] if assignees else 0],
            description="Voir le carnet de bord pour le contexte.\n\n- objectif : avancer ensemble\n",
            phase=phases.get(phase),
            due_on=today + timedelta(days=due) if due is not None else None,
            assignees=[students[i] for i in assignees],
            labels=tasks.labels_from_text(inquiry, ", ".join(labels)),
        )
        for text, done in checklist:
            item = tasks.add_checklist_item(task, text, students[0])
            item.done = done
        if kind == "todo" and "partenaire" in labels:
            tasks.share_action(inquiry, tasks.share_payload(task, True), students[0])
        for author, body in comments:
            tasks.add_comment(task, body.format(*local), partner if author == "P" else students[author])
        task.created_at = began + timedelta(days=span * n // (len(DEMO_TASKS) + 2))
        if kind == "done":
            task.updated_at = min(task.created_at + timedelta(days=12 + 3 * n), now)
