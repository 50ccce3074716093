"""One small export per format, built in code from the vendor's documented header, with that
format's quirks (byte-order mark, localized header, two header rows, preamble and total rows,
signs, decimal comma, HH:MM:SS). Each returns (file name, bytes)."""

from __future__ import annotations

import csv
import io

BOM = "\ufeff"


def _csv(rows: list[list[object]], *, bom: bool = False, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n", delimiter=delimiter).writerows(rows)
    return ((BOM if bom else "") + out.getvalue()).encode("utf-8")


COPILOT_HEADER = [
    "Report Refresh Date", "User Principal Name", "Display Name", "Last Activity Date",
    "Microsoft Teams Copilot Last Activity Date", "Word Copilot Last Activity Date", "Excel Copilot Last Activity Date",
    "PowerPoint Copilot Last Activity Date", "Outlook Copilot Last Activity Date", "OneNote Copilot Last Activity Date",
    "Loop Copilot Last Activity Date", "Copilot Chat Last Activity Date", "Report Period",
]  # fmt: skip


def copilot_graph(refresh: str = "2026-06-30") -> tuple[str, bytes]:
    """Graph CSV with a BOM: 4 users; 3 active (5 app rows), 1 never active; one concealed name."""
    rows = [COPILOT_HEADER,
            [refresh, "ana@acme.com", "Ana Lima", "2026-06-29", "2026-06-29", "2026-06-20", "", "", "", "", "", "2026-06-28", "30"],
            [refresh, "ben@acme.com", "Ben Ode", "2026-05-02", "", "2026-05-02", "", "", "", "", "", "", "30"],
            [refresh, "0123456789ABCDEF0123456789ABCDEF", "", "2026-06-15", "", "", "2026-06-15", "", "", "", "", "2026-06-01", "30"],
            [refresh, "cy@acme.com", "Cy Park", "", "", "", "", "", "", "", "", "", "30"]]  # fmt: skip
    return f"copilot_{refresh}.csv", _csv(rows, bom=True)


# Version 2 of the Graph report (`version='v2'`): version 1's columns in the documented order, then the
# nine it adds (learn.microsoft.com/microsoft-365/copilot/extensibility/api/admin-settings/reports/
# copilotreportroot-getmicrosoft365copilotusageuserdetail, "Report versions").
COPILOT_V2_HEADER = [
    "Report Refresh Date", "User Principal Name", "Display Name", "Last Activity Date", "Copilot Chat Last Activity Date",
    "Microsoft Teams Copilot Last Activity Date", "Word Copilot Last Activity Date", "Excel Copilot Last Activity Date",
    "PowerPoint Copilot Last Activity Date", "Outlook Copilot Last Activity Date", "OneNote Copilot Last Activity Date",
    "Loop Copilot Last Activity Date", "Report Period", "Prompts submitted for all apps",
    "Prompts submitted for Copilot Chat (work)", "Prompts submitted for Copilot Chat (web)",
    "Active Usage Days for all apps", "Copilot Chat (work) Last Activity Date", "Copilot Chat (web) Last Activity Date",
    "Microsoft 365 Copilot Last Activity Date", "Edge Last Activity Date", "Copilot Agent Last Activity Date",
]  # fmt: skip


def copilot_v2() -> tuple[str, bytes]:
    """v2 report, 28-day period, names concealed (the tenant default): one heavy user (Teams, Word, Chat
    work, Edge; 142 prompts on 19 days), one Chat (web)-only user, one licensed but never active, one
    with a broken prompt count."""
    rows = [COPILOT_V2_HEADER,
            ["2026-07-03", "E58EEF6A6BBD3D0293CB306D24A42057", "6A4630397AAA1A9C8EED362168DC88A0", "2026-07-02",
             "2026-07-02", "2026-07-01", "2026-06-20", "", "", "", "", "", "28", "142", "90", "12", "19",
             "2026-07-02", "", "", "2026-06-30", ""],
            ["2026-07-03", "ben@acme.com", "Ben Ode", "2026-06-25", "", "", "", "", "", "", "", "", "28", "4", "0", "4",
             "2", "", "2026-06-25", "", "", ""],
            ["2026-07-03", "cy@acme.com", "Cy Park", "", "", "", "", "", "", "", "", "", "28", "0", "0", "0", "0",
             "", "", "", "", ""],
            ["2026-07-03", "dee@acme.com", "Dee Ray", "2026-06-11", "2026-06-11", "", "", "", "", "", "", "", "28",
             "n/a", "0", "0", "1", "", "", "", "", ""]]  # fmt: skip
    return "copilot_v2_2026-07-03.csv", _csv(rows, bom=True)


def copilot_admin() -> tuple[str, bytes]:
    """Admin-center spelling ("User name", "(UTC)"), no refresh date or period, US dates."""
    rows = [["User name", "Display name", "Last activity date (UTC)", "Last activity date of Word Copilot (UTC)",
             "Last activity date of Copilot Chat (UTC)"],
            ["ana@acme.com", "Ana Lima", "06/29/2026", "06/20/2026", "06/29/2026"],
            ["dee@acme.com", "Dee Ray", "06/10/2026", "", "06/10/2026"]]  # fmt: skip
    return "copilot_admin_center.csv", _csv(rows, bom=True)


def m365_active_users() -> tuple[str, bytes]:
    rows = [["Report Refresh Date", "User Principal Name", "Display Name", "Is Deleted", "Deleted Date",
             "Has Exchange License", "Has OneDrive License", "Has SharePoint License", "Has Skype For Business License",
             "Has Yammer License", "Has Teams License", "Exchange Last Activity Date", "OneDrive Last Activity Date",
             "SharePoint Last Activity Date", "Skype For Business Last Activity Date", "Yammer Last Activity Date",
             "Teams Last Activity Date", "Exchange License Assign Date", "Assigned Products"],
            ["2026-06-30", "ana@acme.com", "Ana Lima", "False", "", "True", "True", "True", "False", "False", "True",
             "2026-06-30", "2026-06-12", "", "", "", "2026-06-30", "2024-01-01", "MICROSOFT 365 E3+MICROSOFT 365 COPILOT"],
            ["2026-06-30", "old@acme.com", "Old User", "True", "2026-03-01", "True", "", "", "", "", "", "2026-02-01",
             "", "", "", "", "", "2024-01-01", "MICROSOFT 365 E3"],
            ["2026-06-30", "eve@acme.com", "Eve Stone", "False", "", "True", "True", "True", "False", "False", "True",
             "", "", "", "", "", "", "2024-01-01", "MICROSOFT 365 E3"]]  # fmt: skip
    return "m365_active_users.csv", _csv(rows, bom=True)


def chatgpt_engagement() -> tuple[str, bytes]:
    header = ["cadence", "period_start", "period_end", "public_id", "name", "email", "role", "department",
              "user_status", "is_active", "first_day_active_in_period", "last_day_active_in_period", "messages",
              "gpt_messages", "tool_messages", "project_messages"]  # fmt: skip
    rows = [header,
            ["monthly", "2026-05-01", "2026-05-31", "u-1", "Ana Lima", "ana@acme.com", "standard-user", "Finance", "enabled", "true", "2026-05-04", "2026-05-28", "120", "10", "3", "0"],
            ["monthly", "2026-06-01", "2026-06-30", "u-1", "Ana Lima", "ana@acme.com", "standard-user", "Finance", "enabled", "true", "2026-06-02", "2026-06-02", "15", "0", "0", "0"],
            ["monthly", "2026-06-01", "2026-06-30", "u-2", "Ben Ode", "ben@acme.com", "standard-user", "Sales", "enabled", "false", "", "", "0", "0", "0", "0"]]  # fmt: skip
    return "chatgpt_user_engagement.csv", _csv(rows)


def okta_app_usage() -> tuple[str, bytes]:
    rows = [["Person", "Login", "Application username", "Logins", "Instance name", "Login Date", "Login Date_ISO8601"],
            ["Ana Lima", "ana@acme.com", "ana@acme.com", "3", "Salesforce.com", "Jun 1, 2026", "2026-06-01T09:00:00.000Z"],
            ["Ana Lima", "ana@acme.com", "ana@acme.com", "2", "Salesforce.com", "Jun 1, 2026", "2026-06-01T15:00:00.000Z"],
            ["Ben Ode", "ben@acme.com", "bode", "1", "ChatGPT", "Jun 2, 2026", "2026-06-02T10:00:00.000Z"],
            ["Ben Ode", "ben@acme.com", "bode", "1", "ChatGPT", "", "not a date"]]  # fmt: skip
    return "okta_app_usage.csv", _csv(rows)


def entra_signins() -> tuple[str, bytes]:
    """Portal export: trailing spaces in headers, failures to drop, three sign-ins on one day."""
    rows = [["Date (UTC)", "Request ID", "User ", "Username ", "User ID", "Application ", "Status ", "IP address"],
            ["2026-06-01T08:00:01Z", "r1", "Ana Lima", "ana@acme.com", "id1", "ChatGPT", "Success", "1.1.1.1"],
            ["2026-06-01T12:00:01Z", "r2", "Ana Lima", "ana@acme.com", "id1", "ChatGPT", "Success", "1.1.1.1"],
            ["2026-06-01T13:00:01Z", "r3", "Ana Lima", "ana@acme.com", "id1", "ChatGPT", "Failure", "1.1.1.1"],
            ["2026-06-03T08:00:01Z", "r4", "Ben Ode", "ben@acme.com", "id2", "Claude", "Success", "1.1.1.2"]]  # fmt: skip
    return "entra_signins.csv", _csv(rows, bom=True)


def ramp() -> tuple[str, bytes]:
    rows = [["Transaction Date", "Amount", "Merchant Name", "User", "Memo", "Category", "Card"],
            ["06/03/26", "20.00", "OPENAI *CHATGPT SUBSCR", "Ana Lima", "ChatGPT Plus", "Software", "1234"],
            ["06/05/26", "-20.00", "OPENAI *CHATGPT SUBSCR", "Ana Lima", "refund", "Software", "1234"],
            ["06/07/26", "$1,250.50", "DELL", "Ben Ode", "Laptop", "Hardware", "2345"]]  # fmt: skip
    return "ramp_transactions.csv", _csv(rows)


def brex() -> tuple[str, bytes]:
    rows = [["Swipe Date (UTC)", "Posted Date", "Amount", "User", "Merchant Name", "Statement Descriptor", "Category"],
            ["2026-06-04", "2026-06-05", "25.00", "Ben Ode", "Anthropic", "ANTHROPIC CLAUDE.AI", "Software"],
            ["", "2026-06-06", "30.00", "Ben Ode", "Midjourney", "MIDJOURNEY INC", "Software"]]  # fmt: skip
    return "brex_transactions.csv", _csv(rows)


def expensify() -> tuple[str, bytes]:
    rows = [["Timestamp", "Merchant", "Amount", "Category", "Tag", "Comment", "Reimbursable", "Original Currency"],
            ["2026-06-02 10:11:00", "Perplexity AI", "20.00", "Software", "", "Pro plan", "yes", "USD"],
            ["2026-06-09 09:00:00", "Uber", "18.40", "Travel", "", "", "yes", "USD"]]  # fmt: skip
    return "expensify_export.csv", _csv(rows)


def amex() -> tuple[str, bytes]:
    rows = [["Date", "Description", "Card Member", "Account #", "Amount"],
            ["06/01/2026", "OPENAI *CHATGPT SUBSCR SAN FRANCISCO", "ANA LIMA", "-41007", "20.00"],
            ["06/10/2026", "AUTOPAY PAYMENT - THANK YOU", "ANA LIMA", "-41007", "-500.00"],
            ["06/12/2026", "OPENAI *CHATGPT SUBSCR SAN FRANCISCO", "ANA LIMA", "-41007", "-20.00"]]  # fmt: skip
    return "amex_activity.csv", _csv(rows)


def chase() -> tuple[str, bytes]:
    rows = [["Transaction Date", "Post Date", "Description", "Category", "Type", "Amount", "Memo"],
            ["06/02/2026", "06/03/2026", "JASPER.AI", "Shopping", "Sale", "-49.00", ""],
            ["06/05/2026", "06/05/2026", "Payment Thank You-Mobile", "", "Payment", "300.00", ""],
            ["06/08/2026", "06/09/2026", "JASPER.AI", "Shopping", "Return", "49.00", ""]]  # fmt: skip
    return "chase_activity.csv", _csv(rows)


def capital_one() -> tuple[str, bytes]:
    rows = [["Transaction Date", "Posted Date", "Card No.", "Description", "Category", "Debit", "Credit"],
            ["2026-06-03", "2026-06-04", "5678", "OTTER.AI", "Other Services", "16.99", ""],
            ["2026-06-20", "2026-06-21", "5678", "OTTER.AI", "Other Services", "", "16.99"],
            ["2026-06-21", "2026-06-22", "9999", "STAPLES", "Merchandise", "40.00", ""]]  # fmt: skip
    return "capital_one.csv", _csv(rows)


def quickbooks() -> tuple[str, bytes]:
    """Preamble (company, title, period, blank), section and total rows, $(250.00) amounts."""
    rows = [["Acme Corp"], ["Transaction Detail by Account"], ["June 2026"], [],
            ["", "Date", "Transaction Type", "Num", "Name", "Memo/Description", "Split", "Amount", "Balance"],
            ["Software subscriptions"],
            ["", "06/03/2026", "Expense", "", "OpenAI", "ChatGPT Team", "Amex", "$300.00", "$300.00"],
            ["", "06/15/2026", "Expense", "", "Anthropic", "Claude refund", "Amex", "$(250.00)", "$50.00"],
            ["Total for Software subscriptions", "", "", "", "", "", "", "$50.00", ""],
            [], ["TOTAL", "", "", "", "", "", "", "$50.00", ""]]  # fmt: skip
    return "qbo_transaction_detail.csv", _csv(rows)


def toggl() -> tuple[str, bytes]:
    rows = [["User", "Email", "Client", "Project", "Task", "Description", "Billable", "Start date", "Start time",
             "End date", "End time", "Duration", "Tags", "Amount ()"],
            ["Ana Lima", "ana@acme.com", "", "Month-end close", "Variance commentary", "Draft commentary", "No",
             "2026-06-01", "09:00:00", "2026-06-01", "09:45:00", "00:45:00", "", ""],
            ["Ana Lima", "ana@acme.com", "", "Month-end close", "Variance commentary", "Draft with Copilot", "No",
             "2026-06-02", "09:00:00", "2026-06-02", "09:25:30", "00:25:30", "AI", ""],
            ["Ben Ode", "ben@acme.com", "", "Sales admin", "", "CRM cleanup", "No", "2026-06-02", "10:00:00",
             "2026-06-02", "11:00:00", "01:00:00", "", ""],
            ["Ben Ode", "ben@acme.com", "", "Month-end close", "Variance commentary", "Review", "No", "2026-06-03",
             "10:00:00", "2026-06-03", "10:00:00", "00:00:00", "", ""]]  # fmt: skip
    return "toggl_detailed.csv", _csv(rows, bom=True)


def clockify() -> tuple[str, bytes]:
    rows = [["Project", "Client", "Description", "Task", "User", "Group", "Email", "Tags", "Billable", "Start Date",
             "Start Time", "End Date", "End Time", "Duration (h)", "Duration (decimal)", "Billable Rate (USD)"],
            ["Month-end close", "", "Commentary via ChatGPT", "Variance commentary", "Ana Lima", "", "ana@acme.com",
             "", "No", "06/04/2026", "09:00 AM", "06/04/2026", "09:30 AM", "00:30:00", "0.50", "0"]]  # fmt: skip
    return "clockify_detailed.csv", _csv(rows)


def harvest() -> tuple[str, bytes]:
    """Day-first dates and decimal comma (a European account), semicolon separated."""
    rows = [["Date", "Client", "Project", "Project Code", "Task", "Notes", "Hours", "Hours Rounded", "Billable?",
             "Invoiced?", "First Name", "Last Name", "Roles", "Employee?"],
            ["15/06/2026", "", "Month-end close", "", "Variance commentary", "manual", "1,5", "1,5", "No", "No", "Ana",
             "Lima", "", "Yes"],
            ["16/06/2026", "", "Month-end close", "", "Variance commentary", "with AI draft", "0,75", "0,75", "No", "No",
             "Ana", "Lima", "", "Yes"]]  # fmt: skip
    return "harvest_detailed_time.csv", _csv(rows, delimiter=";")


GRID = "How would you rate your skill with AI tools?"


def google_forms() -> tuple[str, bytes]:
    rows = [["Timestamp", "Email Address", "Department", "Role", f"{GRID} [Writing prompts and instructions for an AI tool]",
             f"{GRID} [Checking AI output for errors before using it]", "Anything else?"],
            ["2026/06/01 9:00:00 AM GMT+1", "ana@acme.com", "Finance", "Controller", "3 - Proficient", "2 - Basic use", ""],
            ["2026/06/01 9:05:00 AM GMT+1", "ben@acme.com", "Sales", "Account manager", "Sometimes", "1 - Aware of it", "no"],
            ["2026/06/02 9:00:00 AM GMT+1", "ana@acme.com", "Finance", "Controller", "4 - Advanced, I teach others", "", ""]]  # fmt: skip
    return "google_forms_responses.csv", _csv(rows)


def ms_forms_german() -> tuple[str, bytes]:
    """A form in German: localized fixed columns; Likert statements as columns."""
    rows = [["ID", "Startzeit", "Fertigstellungszeit", "E-Mail", "Name", "Department", "Role",
             "Writing prompts and instructions for an AI tool", "Using the AI tools the company provides"],
            ["1", "6/1/26 9:00:00", "6/1/26 9:04:00", "ana@acme.com", "Ana Lima", "Finance", "Controller",
             "3 - Proficient", "Basic use"]]  # fmt: skip
    return "ms_forms_responses.csv", _csv(rows, bom=True)


def surveymonkey() -> tuple[str, bytes]:
    rows = [["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
             "Last Name", "Custom Data 1", "Department", "Role", "Rate your AI skills", ""],
            ["", "", "", "", "", "", "", "", "", "Response", "Response", "Prompting", "Checking output"],
            ["114", "9", "06/01/2026 09:00:00 AM", "06/01/2026 09:04:00 AM", "1.1.1.1", "", "Ben", "Ode", "", "Sales",
             "Account manager", "Basic use", "Aware of it"]]  # fmt: skip
    return "surveymonkey_expanded.csv", _csv(rows)


def typeform() -> tuple[str, bytes]:
    rows = [["#", "Department", "Role", "Writing prompts and instructions for an AI tool", "Start Date (UTC)",
             "Submit Date (UTC)", "Network ID"],
            ["a1b2c3", "Ops", "Planner", "2", "2026-06-01 09:00:00", "2026-06-01 09:03:00", "n1"]]  # fmt: skip
    return "typeform_responses.csv", _csv(rows)


SURVEYMONKEY_MAPPING = """\
survey:
  questions:
    "Rate your AI skills [Prompting]": prompting
    "Rate your AI skills [Checking output]": output_verification
"""

TIME_MAPPING = """\
time:
  workflows:
    - project: Month-end close
      task: Variance commentary
      workflow: WF-1
  ai_pattern: "\\\\b(copilot|chatgpt|ai draft)\\\\b"
"""

FIXTURES = {
    "m365_copilot_usage": copilot_graph,
    "m365_active_users": m365_active_users,
    "chatgpt_engagement": chatgpt_engagement,
    "okta_app_usage": okta_app_usage,
    "entra_signins": entra_signins,
    "ramp": ramp,
    "brex": brex,
    "expensify": expensify,
    "amex": amex,
    "chase": chase,
    "capital_one": capital_one,
    "quickbooks_transactions": quickbooks,
    "toggl": toggl,
    "clockify": clockify,
    "harvest": harvest,
    "google_forms": google_forms,
    "ms_forms": ms_forms_german,
    "surveymonkey": surveymonkey,
    "typeform": typeform,
}
