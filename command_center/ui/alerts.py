"""The Notifikasi page's panels: my alerts, my subscription, my channels, the admin's outbox."""

from __future__ import annotations

import streamlit as st

from command_center.adapters import alerts as data
from command_center.adapters import incidents as places
from command_center.base.auth import Principal, permits, within
from command_center.base.errors import CommandCenterError
from command_center.base.labels import t
from command_center.services.alerts import CHANNELS, SEVERITIES, SITREP_FORMATS
from command_center.services.incidents import HAZARDS
from command_center.stores.alerts import SubscriptionInput
from command_center.ui import shell
from command_center.ui.irreversible import ask, confirmed
from command_center.ui.messages import done, explain, md, show_table


def whose(actor: Principal, lang: str) -> str:
    """The user whose alerts are shown: oneself, or (admins) anyone named."""
    own = actor.username or ""
    if not permits(actor, "users"):
        return own
    other = st.text_input(t("alerts_of_user", lang), own, max_chars=120, key="alerts_user")
    return other.strip() or own


JUST_READ = "_alerts_just_read"  # alerts marked read by opening the list, still shown as new


def my_alerts(username: str, lang: str) -> None:
    """Every alert in the user's scope and subscription, newest first; opening the list marks
    one's own as read (they stay marked new in this view) and updates the sidebar's count."""
    table = data.load_my_alerts(username, lang)
    if table.empty:
        st.caption(t("no_alerts", lang))
        return
    own = username == shell.actor().username
    unread = [int(i) for i in table.loc[~table["read"], "id"]]
    if own and unread:
        data.mark_read(shell.actor(), unread)
        st.session_state[JUST_READ] = unread
        st.rerun()  # the sidebar's count, drawn before this page, is now 0
    new = ~table["read"] | table["id"].isin(st.session_state.get(JUST_READ, ()))
    shown = table.drop(columns=["id", "read"])
    shown.insert(0, t("col_new", lang), [t("alert_new", lang) if n else "" for n in new])
    link = st.column_config.LinkColumn(t("col_open", lang), display_text=t("open_link", lang))
    show_table(shown, lang, hide_index=True, width="stretch", column_config={"link": link})
    waiting = data.unacked_critical(username)
    if not waiting or username != shell.actor().username:
        return
    with st.form("ack_alert", enter_to_submit=False):
        chosen = st.selectbox(t("ack_which", lang), list(waiting), format_func=waiting.get)
        if st.form_submit_button(t("ack_button", lang), type="primary"):
            _try(lambda: data.acknowledge_alert(shell.actor(), chosen), t("ack_saved", lang), lang)


def _try(action, message: str, lang: str) -> None:
    """Do a change; its error in words, or its message and a fresh page."""
    try:
        action()
    except CommandCenterError as exc:
        st.error(explain(exc, lang))
        return
    done(message)


def subscription(username: str, lang: str) -> None:
    now = data.load_subscription(username)
    kabupaten = within(shell.actor(), places.kabupaten_choices())
    with st.form("subscription", enter_to_submit=False):
        st.caption(t("subscription_help", lang))
        areas = st.multiselect(
            t("field_areas", lang),
            sorted({*kabupaten, *now.areas}),
            default=list(now.areas),
            format_func=lambda code: kabupaten.get(code, code),
            placeholder=t("areas_all_scope", lang),
            select_all=False,
        )
        hazards = st.multiselect(
            t("field_hazards", lang),
            list(HAZARDS),
            default=[h for h in now.hazards if h in HAZARDS],
            format_func=lambda h: t(f"hazard_{h}", lang),
            placeholder=t("hazards_all", lang),
            select_all=False,
        )
        left, right = st.columns(2)
        severity = left.selectbox(
            t("field_min_severity", lang),
            SEVERITIES,
            index=SEVERITIES.index(now.min_severity),
            format_func=lambda s: t(f"severity_{s}", lang),
        )
        chosen = right.multiselect(
            t("field_channels", lang),
            CHANNELS,
            default=list(now.channels),
            format_func=lambda c: t(f"channel_{c}", lang),
            placeholder=t("channels_all", lang),
            select_all=False,
        )
        quiet_from = left.text_input(t("field_quiet_from", lang), now.quiet_from or "", max_chars=5)
        quiet_until = right.text_input(
            t("field_quiet_until", lang), now.quiet_until or "", max_chars=5
        )
        sitrep_format = left.selectbox(
            t("field_sitrep_format", lang),
            SITREP_FORMATS,
            index=SITREP_FORMATS.index(now.sitrep_format),
            format_func=lambda f: t(f"sitrep_format_{f}", lang),
            help=t("sitrep_format_help", lang),
        )
        if st.form_submit_button(t("save", lang), type="primary"):
            entry = SubscriptionInput(
                tuple(areas),
                tuple(hazards),
                severity,
                tuple(chosen),
                quiet_from,
                quiet_until,
                sitrep_format,
            )
            _try(
                lambda: data.save_subscription(shell.actor(), username, entry),
                t("subscription_saved", lang),
                lang,
            )


def linked_channels(username: str, lang: str) -> None:
    links = data.load_links(username)
    missing = data.missing_channels()
    for channel in CHANNELS:
        address = links.get(channel)
        state = (
            t("channel_linked", lang, address=f"`{address.replace('`', '')}`")  # inert text
            if address
            else t("channel_waiting", lang)
            if channel in links
            else t("channel_none", lang)
        )
        off = f" · {t('channel_off', lang, needs=missing[channel])}" if channel in missing else ""
        left, right = st.columns([4, 1])
        left.markdown(f"**{t(f'channel_{channel}', lang)}** · {state}{off}")
        if channel in links and right.button(t("unlink", lang), key=f"unlink_{channel}"):
            _try(
                lambda c=channel: data.unlink(shell.actor(), username, c), t("unlinked", lang), lang
            )
    hosts = data.webhook_hosts()
    anywhere = permits(shell.actor(), "alerts")
    if not anywhere:  # say the rule, rather than offer a field the store would refuse
        st.caption(
            t("webhook_rule_hosts", lang, hosts=md(", ".join(hosts)))
            if hosts
            else t("webhook_rule_admin", lang)
        )
    offered = ("email", "whatsapp", "webhook") if anywhere or hosts else ("email", "whatsapp")
    offered = tuple(c for c in offered if c not in missing)  # one that is off only fails
    if not offered:
        st.caption(t("channels_all_off", lang))
    else:
        _address_form(username, offered, lang)
    if "telegram" not in missing and st.button(t("telegram_code", lang)):
        code = data.start_telegram(shell.actor(), username)
        bot = data.telegram_bot()
        where = f"@{md(bot)}" if bot else t("the_bot", lang)
        st.info(t("telegram_code_help", lang, code=code, bot=where))


def _address_form(username: str, offered: tuple[str, ...], lang: str) -> None:
    with st.form("set_address", enter_to_submit=False):
        left, right = st.columns([1, 2])
        channel = left.selectbox(
            t("col_channel", lang), offered, format_func=lambda c: t(f"channel_{c}", lang)
        )
        address = right.text_input(t("field_address", lang), max_chars=320)
        if st.form_submit_button(t("link_channel", lang)):
            _try(
                lambda: data.set_address(shell.actor(), username, channel, address),
                t("channel_saved", lang),
                lang,
            )


def outbox(lang: str) -> None:
    """The admin's view: counts, latency, deliveries by status, dead letters to act on."""
    who = shell.actor()
    counts = data.load_counts()
    latency = data.load_latency()
    cells = st.columns(5)
    for cell, status in zip(
        cells, ("pending", "sending", "sent", "dead", "discarded"), strict=True
    ):
        cell.metric(t(f"delivery_{status}", lang), counts.get(status, 0))
    if latency.count:
        st.caption(
            t(
                "latency_line",
                lang,
                n=latency.count,
                median=f"{latency.median_s:.1f}",
                p95=f"{latency.p95_s:.1f}",
            )
        )
    statuses = st.multiselect(
        t("col_status", lang),
        data.STATUSES,
        default=["pending", "sending", "dead"],
        format_func=lambda s: t(f"delivery_{s}", lang),
        select_all=False,
        placeholder=t("choose_many", lang),
    )
    table = data.load_deliveries(who, tuple(statuses), lang)
    show_table(table, lang, hide_index=True, width="stretch")
    dead = data.load_deliveries(who, ("dead",), lang)
    if dead.empty:
        return
    with st.form("dead_letters", enter_to_submit=False):
        ids = st.multiselect(
            t("dead_letters", lang),
            list(dead["id"]),
            select_all=False,
            placeholder=t("choose_many", lang),
        )
        left, right = st.columns(2)
        retry = left.form_submit_button(t("retry", lang), type="primary")
        drop = right.form_submit_button(t("discard_dead", lang))
    if retry and ids:
        _try(lambda: data.retry_dead(who, ids), t("retried", lang, n=len(ids)), lang)
    if drop and ids:
        listed = ", ".join(f"#{i}" for i in ids)
        ask("discard_dead", t("ask_discard_dead", lang, n=len(ids), ids=listed), tuple(ids))
    if (asked := confirmed("discard_dead", lang)) is not None:
        ids = list(asked.payload)
        _try(lambda: data.discard(who, ids), t("dead_discarded", lang, n=len(ids)), lang)
