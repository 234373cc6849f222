"""Demo field material: interviews in every status, consent of every kind, one withdrawal, vault entries.

Notes hold pseudonyms only; the identities below exist only in the (encrypted) vault.
"""

from __future__ import annotations

from datetime import date, timedelta

from inquiry_hub.fieldwork import demo_coding
from inquiry_hub.fieldwork import services as fieldwork

GUIDE_V1 = """## Parcours
- Pouvez-vous me raconter comment vous êtes arrivé·e dans la structure ?
- Qu'est-ce que vous faisiez avant ?

## Participation
- À quelles réunions ou instances participez-vous ?
- Comment les décisions sont-elles prises ?
"""

GUIDE_V2 = (
    GUIDE_V1
    + """
## Engagement dans la durée
- Qu'est-ce qui vous fait rester ? Qu'est-ce qui pourrait vous faire partir ?
- Racontez-moi un moment où vous vous êtes senti·e écouté·e… ou pas.
"""
)

#: Per demo inquiry: attributes (name, values, targets), then interviews.
#: Interview: pseudonym, status, days from today, consent (status, quotation), profile values,
#: identity (name, contact, aliases), notes [(kind, title, body)].
DEMO = [
    {
        "attributes": [
            ("Statut", ["salarié·e en insertion", "bénévole", "membre du CA", "encadrant·e"], [4, 3, 2, 2]),
            ("Ancienneté", ["moins d'un an", "1 à 5 ans", "plus de 5 ans"], [3, 4, 2]),
        ],
        "interviews": [
            (
                "J01",
                "coded",
                -40,
                ("written", "anonymised"),
                ["salarié·e en insertion", "moins d'un an"],
                ("Martine Rochas", "06 12 34 56 78", "Martine\nTinou"),
                [
                    (
                        "transcript",
                        "Transcription J01",
                        "**Enquêtrice** : Comment êtes-vous arrivée aux Jardins ?\n\n"
                        "**J01** : C'est Pôle emploi qui m'a orientée, après deux ans sans rien. Au début je venais "
                        "pour le contrat, pour le salaire. Et puis on m'a proposé de venir au conseil des salarié·es.\n\n"
                        "**Enquêtrice** : Et qu'est-ce que ça a changé ?\n\n"
                        "**J01** : On me demande mon avis. Sur les plannings, sur les légumes qu'on plante. "
                        "Tinou, ici, c'est quelqu'un — pardon, je parle de moi à la troisième personne, tout le monde "
                        "m'appelle comme ça. Mais dans les assemblées générales, je me tais : ce sont les bénévoles "
                        "qui parlent, ceux qui ont fait des études.",
                    )
                ],
            ),
            (
                "J02",
                "transcribed",
                -25,
                ("written", "named"),
                ["bénévole", "plus de 5 ans"],
                ("Gérard Pelletier", "gerard.p@example.org", "Gégé"),
                [
                    (
                        "transcript",
                        "Transcription J02",
                        "**J02** : Je suis là depuis la création, en 2014. On était six retraités avec des bêches. "
                        "Aujourd'hui il y a douze salarié·es en insertion et une coordinatrice.\n\n"
                        "**Enquêteur** : Comment se prennent les décisions ?\n\n"
                        "**J02** : En conseil d'administration, normalement. En pratique, beaucoup de choses se "
                        "décident au moment du café, entre ceux qui sont là le mardi.",
                    )
                ],
            ),
            (
                "J03",
                "conducted",
                -8,
                ("oral", "forbidden"),
                ["encadrant·e", "1 à 5 ans"],
                ("Samia Khelifi", "samia.k@example.org", "Samia"),
                [
                    (
                        "interview_notes",
                        "Notes à chaud J03",
                        "Entretien dans le local, 1 h 10. J03 insiste sur la tension entre l'objectif de retour à "
                        "l'emploi fixé par les financeurs et la place donnée aux salarié·es dans la gouvernance. "
                        "A demandé à ne **pas** être citée, même anonymisée.",
                    )
                ],
            ),
            ("J04", "planned", 6, ("not_asked", "anonymised"), ["membre du CA", "plus de 5 ans"], None, []),
            (
                "J05",
                "conducted",
                -15,
                ("written", "anonymised"),
                ["bénévole", "moins d'un an"],
                ("Paul Verdier", "paul.v@example.org", ""),
                [("interview_notes", "Notes J05", "Entretien au jardin, sous la pluie.")],
            ),
        ],
        "withdrawn": "J05",
        "field_notes": [
            (
                "Observation de l'AG",
                "## Assemblée générale\n\n42 présent·es dont 5 salarié·es en insertion, "
                "assis·es au fond. Les prises de parole viennent surtout du bureau. J02 anime le vote du "
                "rapport moral ; personne ne vote contre.",
            ),
        ],
    },
    {
        "attributes": [
            ("Collège", ["producteurs", "consommateurs", "collectivités", "salarié·es"], [3, 4, 2, 2]),
            ("Âge", ["moins de 35 ans", "35-60 ans", "plus de 60 ans"], [3, 4, 3]),
        ],
        "interviews": [
            (
                "C01",
                "coded",
                -35,
                ("written", "named"),
                ["consommateurs", "plus de 60 ans"],
                ("Bernard Lacoste", "b.lacoste@example.org", "Bernard"),
                [
                    (
                        "transcript",
                        "Transcription C01",
                        "**C01** : J'ai pris trois parts sociales quand ils ont installé les panneaux sur l'école. "
                        "Je viens à toutes les assemblées générales, mais on est toujours les mêmes, une trentaine "
                        "sur huit cents sociétaires.\n\n"
                        "**Enquêtrice** : Pourquoi si peu, à votre avis ?\n\n"
                        "**C01** : Les gens ont confiance. Ou ils s'en fichent, tant que l'énergie est verte.",
                    )
                ],
            ),
            (
                "C02",
                "transcribed",
                -20,
                ("written", "anonymised"),
                ["collectivités", "35-60 ans"],
                ("Nadia Ferreira", "n.ferreira@example.org", "Nadia"),
                [
                    (
                        "transcript",
                        "Transcription C02",
                        "**C02** : Pour la commune, entrer au capital de la SCIC, c'était un choix politique. Le "
                        "collège des collectivités pèse 20 % des voix ; on ne veut pas décider à la place des "
                        "citoyens, mais on apporte la garantie pour les emprunts.",
                    )
                ],
            ),
            (
                "C03",
                "conducted",
                -5,
                ("oral", "forbidden"),
                ["salarié·es", "moins de 35 ans"],
                ("Julien Morel", "julien.m@example.org", "Ju"),
                [
                    (
                        "interview_notes",
                        "Notes C03",
                        "Salarié chargé de la vie coopérative. Décrit les entreprises partenaires comme « des "
                        "sociétaires à part », plus écoutées que les particuliers. Ne souhaite pas être cité.",
                    )
                ],
            ),
            ("C04", "planned", 10, ("not_asked", "anonymised"), ["producteurs", "35-60 ans"], None, []),
            (
                "C05",
                "planned",
                -2,
                ("oral", "anonymised"),
                ["consommateurs", "moins de 35 ans"],
                ("Claire Dumas", "", "Claire"),
                [],
            ),
        ],
        "withdrawn": "C05",
        "field_notes": [
            (
                "Journal de terrain — visite du parc",
                "Visite du toit photovoltaïque avec C02. Beaucoup de "
                "fierté locale ; les entreprises du quartier sont invitées à investir.",
            ),
        ],
    },
]


def seed(inquiry, students: list, index: int) -> None:
    """Field material for one demo inquiry (``index`` picks its data set)."""
    data = DEMO[index % len(DEMO)]
    today = date.today()
    fieldwork.save_guide(inquiry, students[0], GUIDE_V1, "Première version")
    guide = fieldwork.save_guide(inquiry, students[1], GUIDE_V2, "Ajout du thème engagement")
    attributes = []
    for name, values, targets in data["attributes"]:
        attribute = fieldwork.save_attribute(inquiry, students[0], name, "\n".join(values))
        fieldwork.set_targets(
            inquiry, students[0], {(attribute.id, v): t for v, t in zip(values, targets, strict=True)}
        )
        attributes.append(attribute)
    withdrawn = None
    for n, (pseudonym, status, days, (consent, quotation), profile, who, notes) in enumerate(
        data["interviews"]
    ):
        on = today + timedelta(days=days)
        interviewers = [students[n % len(students)], students[(n + 1) % len(students)]]
        interview = fieldwork.create_interview(
            inquiry,
            interviewers[0],
            {
                "pseudonym": pseudonym,
                "status": status,
                "planned_on": on,
                "conducted_on": on if status != "planned" else None,
                "place": "Local de la structure" if n % 2 else "Domicile de la personne",
                "duration_minutes": None if status == "planned" else 55 + 10 * n,
                "interviewers": interviewers,
                "guide": guide,
                "profile": {a.id: v for a, v in zip(attributes, profile, strict=True)},
            },
        )
        if who:
            fieldwork.set_identity(interview, interviewers[0], *who)
        fieldwork.update_consent(
            interview,
            interviewers[0],
            {
                "status": consent,
                "given_on": on if consent != "not_asked" else None,
                "notice_version": "v2" if consent != "not_asked" else "",
                "recording_allowed": consent == "written",
                "quotation": quotation,
                "archiving_allowed": quotation == "named",
            },
        )
        for kind, title, body in notes:
            fieldwork.create_note(
                inquiry,
                interviewers[0],
                title=title,
                body=body,
                kind=kind,
                interview=interview,
                written_on=on,
            )
        if pseudonym == data["withdrawn"]:
            withdrawn = interview
    for title, body in data["field_notes"]:
        fieldwork.create_note(
            inquiry,
            students[-1],
            title=title,
            body=body,
            kind="field_notes",
            written_on=today - timedelta(days=12),
        )
    if withdrawn is not None:
        fieldwork.withdraw_consent(withdrawn, students[0])
    demo_coding.seed(inquiry, students)
