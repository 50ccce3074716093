"""The registry of export formats `kit import` reads: one `Format` record per vendor export.

A format lists its columns (each a field the builders read, with the header spellings the vendor
uses, first preferred), the intake table it fills, the builder that turns its rows into that
table's rows, and per-format facts (sign of charges, date formats, the tool it reports on). A
new format is a few declared lines here plus a fixture in tests/imports/; the builders in
`kit.imports.build` are shared. Header spellings are compared trimmed, lower-cased, with a
byte-order mark removed and runs of spaces collapsed (`header_key`).

Where each column list comes from is in docs/imports.md (one source per format).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kit.imports.values import DATE_FORMATS


def header_key(text: object) -> str:
    """A header as formats are matched: BOM removed, trimmed, spaces collapsed, case-folded."""
    return " ".join(str(text).replace("\ufeff", "").split()).casefold()


@dataclass(frozen=True)
class Column:
    """One column a format reads: `field` (the builders' name) and the vendor's spellings."""

    field: str
    aliases: tuple[str, ...]  # header_key of each spelling
    required: bool = True
    label: str = ""  # the first spelling, as the vendor prints it


def col(field_: str, *aliases: str, required: bool = True) -> Column:
    return Column(field_, tuple(header_key(a) for a in aliases), required, aliases[0])


def opt(field_: str, *aliases: str) -> Column:
    return col(field_, *aliases, required=False)


@dataclass(frozen=True)
class Format:
    """One vendor export.

    kind: the builder (`usage_snapshot`, `usage_events`, `chatgpt`, `expenses`, `time_entries`,
        `survey`). apps: per-app last-activity columns (app label -> spellings as printed), for snapshots.
    sign: how charges are signed: `positive` (charges > 0), `negative` (charges < 0, flipped),
        `debit_credit` (a Debit and a Credit column). dates: date formats tried in order per file.
    header_rows: 2 for exports with a question row and an answer row (SurveyMonkey).
    rest_are_questions: every column not listed is a survey question.
    """

    name: str
    title: str
    table: str
    kind: str
    columns: tuple[Column, ...]
    source: str  # where the column list is documented
    shows: str  # what this source can show
    cannot_show: str  # and what it cannot
    apps: dict[str, tuple[str, ...]] = field(default_factory=dict)
    tool: str = ""  # the product it reports on (mapped to the inventory through the alias list)
    sign: str = "positive"
    dates: tuple[str, ...] = DATE_FORMATS
    header_rows: int = 1
    rest_are_questions: bool = False
    id_prefix: str = ""

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def describe_columns(self) -> str:
        """The columns it needs, as the vendor spells them (for `kit import --list`)."""
        need = [c.label for c in self.required]
        if self.apps:
            need.append("one or more of: " + ", ".join(a[0] for a in self.apps.values()))
        return ", ".join(need)


def _apps(*pairs: tuple[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    return {label: tuple(spellings) for label, spellings in pairs}


def _copilot_app(label: str, graph: str, admin: str) -> tuple[str, tuple[str, ...]]:
    return label, (f"{graph} Copilot Last Activity Date", f"Last activity date of {admin} (UTC)",
                   f"Last activity date of {admin}")  # fmt: skip


SNAPSHOT_SHOWS = "who was active in the report period, per app, and each person's last activity date"
SNAPSHOT_CANNOT = ("daily activity or a monthly trend: one export shows one window; several exports over time "
                   "show a trend, one point per export")  # fmt: skip
EVENT_SHOWS = "each sign-in (user, application, day): active users in any window and a monthly trend"
EVENT_CANNOT = "what people did inside the application, or use of tools that do not sign in through it"
CARD_SHOWS = "card and expense lines: AI subscriptions paid outside the approved tools"
CARD_CANNOT = "tools paid for on other cards or invoices, or used for free"
TIME_SHOWS = "measured minutes per entry, with or without AI, per workflow mapped from project and task"
TIME_CANNOT = "entries the mapping does not assign to a workflow, or AI use nobody tagged"
SURVEY_SHOWS = "self-assessed skill levels per respondent"
SURVEY_CANNOT = "actual skill, or the skills of people who did not answer"

FORMATS: tuple[Format, ...] = (
    Format(
        "m365_copilot_usage", "Microsoft 365 Copilot usage, user detail", "usage", "usage_snapshot",
        columns=(
            opt("refresh", "Report Refresh Date", "Report refresh date (UTC)"),
            opt("period", "Report Period", "Report period"),
            col("user", "User Principal Name", "User name", "Username"),
            opt("name", "Display Name", "Display name"),
            opt("last", "Last Activity Date", "Last activity date (UTC)", "Last activity date"),
            # report version 2 (Graph `version='v2'`); the admin-center spellings after the first are not
            # in Microsoft's documentation (docs/imports.md)
            opt("prompts", "Prompts submitted for all apps", "Prompts submitted (any app)", "Prompts submitted"),
            opt("prompts_chat_work", "Prompts submitted for Copilot Chat (work)", "Copilot Chat (work) prompts submitted"),
            opt("prompts_chat_web", "Prompts submitted for Copilot Chat (web)", "Copilot Chat (web) prompts submitted"),
            opt("active_days", "Active Usage Days for all apps", "Active Days", "Active usage days"),
        ),
        apps=_apps(
            _copilot_app("Teams Copilot", "Microsoft Teams", "Teams Copilot"),
            _copilot_app("Word Copilot", "Word", "Word Copilot"),
            _copilot_app("Excel Copilot", "Excel", "Excel Copilot"),
            _copilot_app("PowerPoint Copilot", "PowerPoint", "PowerPoint Copilot"),
            _copilot_app("Outlook Copilot", "Outlook", "Outlook Copilot"),
            _copilot_app("OneNote Copilot", "OneNote", "OneNote Copilot"),
            _copilot_app("Loop Copilot", "Loop", "Loop Copilot"),
            ("Copilot Chat", ("Copilot Chat Last Activity Date", "Last activity date of Copilot Chat (UTC)",
                              "Last activity date of Copilot Chat")),
            ("Copilot Chat (work)", ("Copilot Chat (work) Last Activity Date",
                                     "Last activity date of Copilot Chat (work) (UTC)")),
            ("Copilot Chat (web)", ("Copilot Chat (web) Last Activity Date", "Last activity date of Copilot Chat (web) (UTC)")),
            ("Microsoft 365 Copilot app", ("Microsoft 365 Copilot Last Activity Date",
                                           "Last activity date of Microsoft 365 App (UTC)")),
            ("Edge Copilot", ("Edge Last Activity Date", "Last activity date of Edge (UTC)",
                              "Last activity date of Microsoft Edge (UTC)")),
            ("Copilot agents", ("Copilot Agent Last Activity Date", "Last activity date of any agent (UTC)")),
        ),  # fmt: skip
        tool="Microsoft 365 Copilot",
        source="https://learn.microsoft.com/en-us/graph/api/reportroot-getmicrosoft365copilotusageuserdetail",
        shows=SNAPSHOT_SHOWS, cannot_show=SNAPSHOT_CANNOT,
        dates=("%Y-%m-%d", "%m/%d/%Y"),
    ),
    Format(
        "m365_active_users", "Microsoft 365 active users, user detail", "usage", "usage_snapshot",
        columns=(
            opt("refresh", "Report Refresh Date"),
            col("user", "User Principal Name"),
            opt("name", "Display Name"),
            opt("deleted", "Is Deleted"),
            col("products", "Assigned Products"),
            opt("period", "Report Period"),
        ),
        apps=_apps(
            ("Exchange", ("Exchange Last Activity Date",)),
            ("OneDrive", ("OneDrive Last Activity Date",)),
            ("SharePoint", ("SharePoint Last Activity Date",)),
            ("Skype for Business", ("Skype For Business Last Activity Date",)),
            ("Yammer", ("Yammer Last Activity Date",)),
            ("Teams", ("Teams Last Activity Date",)),
        ),
        tool="Microsoft 365",
        source="https://learn.microsoft.com/en-us/graph/api/resources/office365activeuserdetail",
        shows=SNAPSHOT_SHOWS + "; licences assigned (seats) per product", cannot_show=SNAPSHOT_CANNOT,
        dates=("%Y-%m-%d", "%m/%d/%Y"),
    ),
    Format(
        "chatgpt_engagement", "ChatGPT Enterprise / Edu user engagement", "usage", "chatgpt",
        columns=(
            opt("cadence", "cadence"),
            col("period_start", "period_start"),
            col("period_end", "period_end"),
            opt("public_id", "public_id"),
            opt("name", "name"),
            col("user", "email"),
            opt("role", "role"),
            opt("department", "department"),
            opt("status", "user_status"),
            col("active", "is_active"),
            opt("first", "first_day_active_in_period"),
            col("last", "last_day_active_in_period"),
            opt("messages", "messages"),
        ),
        tool="ChatGPT Enterprise",
        source="OpenAI Help Center, 'User analytics for ChatGPT Enterprise and Edu' (engagement CSV export)",
        shows="who was active in each week or month, first and last active day, messages per period",
        cannot_show="daily activity between the first and last active day of a period",
        dates=("%Y-%m-%d",),
    ),
    Format(
        "okta_app_usage", "Okta application usage report", "usage", "usage_events",
        columns=(
            opt("name", "Person"),
            col("user", "Login"),
            opt("app_user", "Application username"),
            opt("count", "Logins"),
            col("app", "Instance name"),
            col("date", "Login Date_ISO8601", "Login Date"),
        ),
        source="Okta Help Center, Reports > App Usage (CSV download)",
        shows=EVENT_SHOWS, cannot_show=EVENT_CANNOT,
    ),
    Format(
        "entra_signins", "Microsoft Entra sign-in logs", "usage", "usage_events",
        columns=(
            col("date", "Date (UTC)", "Date"),
            col("name", "User"),
            col("user", "Username", "User principal name"),
            col("app", "Application"),
            col("status", "Status"),
        ),
        source="https://learn.microsoft.com/en-us/entra/identity/monitoring-health/howto-download-logs",
        shows=EVENT_SHOWS, cannot_show=EVENT_CANNOT,
    ),
    Format(
        "ramp", "Ramp transactions", "expenses", "expenses",
        columns=(col("date", "Transaction Date"), col("amount", "Amount"), col("merchant", "Merchant Name"),
                 col("user", "User"), opt("memo", "Memo"), opt("category", "Category")),  # fmt: skip
        source="Ramp Help Center, 'Exporting transactions to CSV'", shows=CARD_SHOWS, cannot_show=CARD_CANNOT,
        dates=("%m/%d/%y", "%m/%d/%Y", "%Y-%m-%d"), id_prefix="RAMP",
    ),
    Format(
        "brex", "Brex card transactions", "expenses", "expenses",
        columns=(col("date", "Swipe Date (UTC)", "Posted Date"), opt("posted", "Posted Date"), col("amount", "Amount"),
                 col("user", "User"), col("merchant", "Merchant Name"), opt("memo", "Statement Descriptor"),
                 opt("category", "Category")),  # fmt: skip
        source="Brex Help Center, 'Export card transactions'", shows=CARD_SHOWS, cannot_show=CARD_CANNOT,
        dates=("%Y-%m-%d", "%m/%d/%Y"), id_prefix="BREX",
    ),
    Format(
        "expensify", "Expensify default CSV export", "expenses", "expenses",
        columns=(col("date", "Timestamp"), col("merchant", "Merchant"), col("amount", "Amount"),
                 opt("category", "Category"), opt("memo", "Description", "Comment"), opt("user", "Email")),  # fmt: skip
        source="Expensify Help, 'Default export templates' (CSV: Timestamp, Merchant, Amount, Category, ...)",
        shows=CARD_SHOWS, cannot_show=CARD_CANNOT + "; the default export names no employee",
        dates=("%Y-%m-%d", "%m/%d/%Y"), id_prefix="EXPF",
    ),
    Format(
        "amex", "American Express activity", "expenses", "expenses",
        columns=(col("date", "Date"), col("memo", "Description"), col("user", "Card Member"),
                 opt("account", "Account #"), col("amount", "Amount"), opt("merchant", "Appears On Your Statement As")),  # fmt: skip
        source="American Express online statements, 'Download your statement' (CSV)",
        shows=CARD_SHOWS, cannot_show=CARD_CANNOT, dates=("%m/%d/%Y", "%m/%d/%y"), id_prefix="AMEX",
    ),
    Format(
        "chase", "Chase credit card activity", "expenses", "expenses",
        columns=(col("date", "Transaction Date"), opt("posted", "Post Date"), col("memo", "Description"),
                 col("category", "Category"), col("type", "Type"), col("amount", "Amount")),  # fmt: skip
        source="Chase online banking, 'Download account activity' (CSV)", shows=CARD_SHOWS,
        cannot_show=CARD_CANNOT + "; the export names no card holder", sign="negative",
        dates=("%m/%d/%Y",), id_prefix="CHAS",
    ),
    Format(
        "capital_one", "Capital One card transactions", "expenses", "expenses",
        columns=(col("date", "Transaction Date"), opt("posted", "Posted Date"), col("card", "Card No."),
                 col("memo", "Description"), opt("category", "Category"), col("debit", "Debit"),
                 col("credit", "Credit")),  # fmt: skip
        source="Capital One, 'Download transactions' (CSV)", shows=CARD_SHOWS,
        cannot_show=CARD_CANNOT + "; the export names a card number, not a person", sign="debit_credit",
        dates=("%Y-%m-%d", "%m/%d/%Y"), id_prefix="CAP1",
    ),
    Format(
        "quickbooks_transactions", "QuickBooks Online Transaction Detail by Account", "expenses", "expenses",
        columns=(col("date", "Date"), col("txn_type", "Transaction Type"), opt("num", "Num"), col("merchant", "Name"),
                 opt("memo", "Memo/Description"), opt("split", "Split"), col("amount", "Amount"),
                 opt("balance", "Balance")),  # fmt: skip
        source="QuickBooks Online, Reports > Transaction Detail by Account > Export to CSV/Excel",
        shows=CARD_SHOWS, cannot_show=CARD_CANNOT + "; the report names payees, not employees",
        dates=("%m/%d/%Y", "%Y-%m-%d", "%d/%m/%Y"), id_prefix="QBO",
    ),
    Format(
        "toggl", "Toggl Track detailed report", "time_studies", "time_entries",
        columns=(col("name", "User"), opt("user", "Email"), opt("client", "Client"), col("project", "Project"),
                 opt("task", "Task"), col("notes", "Description"), opt("billable", "Billable"),
                 col("date", "Start date"), opt("start_time", "Start time"), col("duration", "Duration"),
                 opt("tags", "Tags")),  # fmt: skip
        source="Toggl Track Knowledge Base, 'Detailed report' CSV export", shows=TIME_SHOWS, cannot_show=TIME_CANNOT,
        dates=("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y"), id_prefix="TGL",
    ),
    Format(
        "clockify", "Clockify detailed report", "time_studies", "time_entries",
        columns=(col("project", "Project"), opt("client", "Client"), opt("task", "Task"), col("notes", "Description"),
                 col("name", "User"), opt("user", "Email"), opt("tags", "Tags"), col("date", "Start Date"),
                 col("duration_hms", "Duration (h)"), opt("duration", "Duration (decimal)")),  # fmt: skip
        source="Clockify Help, 'Export detailed report' (CSV)", shows=TIME_SHOWS, cannot_show=TIME_CANNOT,
        dates=("%m/%d/%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"), id_prefix="CLK",
    ),
    Format(
        "harvest", "Harvest detailed time report", "time_studies", "time_entries",
        columns=(col("date", "Date"), opt("client", "Client"), col("project", "Project"), col("task", "Task"),
                 col("notes", "Notes"), col("duration", "Hours"), col("first_name", "First Name"),
                 col("last_name", "Last Name"), opt("user", "Email"), opt("tags", "Tags")),  # fmt: skip
        source="Harvest Help Center, 'Detailed time report' export (date format and decimal mark follow the "
               "account's settings)",
        shows=TIME_SHOWS, cannot_show=TIME_CANNOT,
        dates=("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y"), id_prefix="HRV",
    ),
    Format(
        "google_forms", "Google Forms responses", "skills_survey", "survey",
        columns=(col("submitted", "Timestamp", "Zeitstempel", "Horodateur", "Marca temporal"),
                 opt("user", "Email Address", "Email", "E-Mail-Adresse", "Adresse e-mail")),  # fmt: skip
        source="Google Docs Editors Help, 'View & manage form responses' (download responses as CSV)",
        shows=SURVEY_SHOWS, cannot_show=SURVEY_CANNOT, rest_are_questions=True,
    ),
    Format(
        "ms_forms", "Microsoft Forms responses", "skills_survey", "survey",
        columns=(col("response_id", "ID"), col("started", "Start time", "Startzeit", "Heure de début"),
                 col("submitted", "Completion time", "Fertigstellungszeit", "Heure de fin"),
                 opt("user", "Email", "E-Mail", "Adresse de messagerie"), opt("name", "Name", "Nom"),
                 opt("modified", "Last modified time", "Letzte Änderung")),  # fmt: skip
        source="Microsoft Support, 'Check your form results' (Open results in Excel); headers follow the form's language",
        shows=SURVEY_SHOWS, cannot_show=SURVEY_CANNOT, rest_are_questions=True,
    ),
    Format(
        "surveymonkey", "SurveyMonkey responses (expanded)", "skills_survey", "survey",
        columns=(col("response_id", "Respondent ID"), opt("collector", "Collector ID"), col("started", "Start Date"),
                 col("submitted", "End Date"), opt("ip", "IP Address"), opt("user", "Email Address"),
                 opt("first_name", "First Name"), opt("last_name", "Last Name"), opt("custom", "Custom Data 1")),  # fmt: skip
        source="SurveyMonkey Help, 'Exporting responses: all responses data, expanded' (two header rows)",
        shows=SURVEY_SHOWS, cannot_show=SURVEY_CANNOT, rest_are_questions=True, header_rows=2,
    ),
    Format(
        "typeform", "Typeform responses", "skills_survey", "survey",
        columns=(col("response_id", "#"), opt("started", "Start Date (UTC)"), opt("staged", "Stage Date (UTC)"),
                 col("submitted", "Submit Date (UTC)"), opt("network", "Network ID"), opt("tags", "Tags"),
                 opt("user", "email", "Email address", "What is your email address?")),  # fmt: skip
        source="Typeform Help Center, 'Download your results' (CSV)",
        shows=SURVEY_SHOWS, cannot_show=SURVEY_CANNOT, rest_are_questions=True,
    ),
)
FORMATS_BY_NAME = {f.name: f for f in FORMATS}
