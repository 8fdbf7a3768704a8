"""The panels of the Logistik page: stock per warehouse with its ledger and movement forms,
dispatch (surat jalan) and receipt (BAST), shelters on a map, dapur umum and meals, the cover
of an incident's needs, and the opening stock import."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from command_center.adapters import logistics as data
from command_center.base import resources
from command_center.base.auth import permits
from command_center.base.errors import CommandCenterError
from command_center.base.labels import NO_VALUE, number, t
from command_center.services import logistics as rules
from command_center.stores.logistics import OPENING, DispatchRequest, Line
from command_center.ui import maps, shell
from command_center.ui.importer import Importer, import_panel
from command_center.ui.messages import done, explain, md, show_table


def _items(lang: str) -> dict[str, str]:
    return {code: data.item_label(code, lang) for code in rules.CATALOGUE}


def _warehouse_picker(
    label: str, key: str, lang: str, allow_all: bool = False, mine: bool = False
) -> int | None:
    """A warehouse (or all of them, `allow_all`); `mine`: only those the user may move stock
    out of."""
    names = data.warehouse_names(shell.actor() if mine else None)
    options = ([None] if allow_all else []) + list(names)
    if not options:
        return None
    return st.selectbox(
        t(label, lang),
        options,
        format_func=lambda w: t("all_warehouses", lang) if w is None else names[w],
        key=key,
    )


def _try(action, success: str, lang: str) -> None:
    """Run a change; report it and rerun, or say what was wrong."""
    try:
        result = action()
    except CommandCenterError as exc:
        st.error(explain(exc, lang))
    else:
        done(success.format(result=result))


def incident_picker(lang: str) -> int | None:
    """The open incident the page's incident panels are about."""
    incidents = data.load_incidents()
    if not incidents:
        st.info(t("no_open_incidents_aid", lang))
        return None
    chosen = st.selectbox(
        t("choose_incident", lang),
        list(incidents),
        format_func=incidents.get,
        key="logistics_incident",
    )
    shell.exercise_banner(data.is_exercise(chosen))
    return chosen


def _downloads(table: Callable[[], pd.DataFrame], name: str, lang: str) -> None:
    """CSV and Excel downloads, built only when clicked (a whole ledger can be large)."""
    left, right = st.columns(2)
    for column, kind, mime in (
        (left, "csv", "text/csv"),
        (right, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        column.download_button(
            t(f"download_{kind}", lang),
            lambda kind=kind: data.as_file(table(), kind),
            f"{name}.{kind}",
            mime,
            key=f"{name}_{kind}",
            on_click="ignore",
        )


@st.fragment
def stock(lang: str) -> None:
    """Stock per warehouse and item batch, the ledger, and the forms that move stock."""
    warehouse = _warehouse_picker("choose_warehouse", "stock_warehouse", lang, allow_all=True)
    table = data.load_stock(lang)
    if warehouse is not None:
        table = table[table["warehouse_id"] == warehouse]
    if table.empty:
        st.info(t("no_stock", lang))
    else:
        show_table(
            table.drop(columns=["warehouse_id", "item"]), lang, hide_index=True, width="stretch"
        )
    with st.expander(t("ledger", lang)):
        ledger = data.load_movements(warehouse, lang)
        show_table(ledger, lang, hide_index=True, width="stretch")
        _downloads(lambda: data.ledger_export(lang), "buku-stok", lang)
    if not shell.allowed("stock", lang):
        return
    with st.expander(t("receive_stock", lang)):
        _receive_form(lang)
    if warehouse in data.warehouse_names(shell.actor()):
        with st.expander(t("adjust_stock", lang)):
            _adjust_form(warehouse, lang)
        with st.expander(t("transfer_stock", lang)):
            _transfer_form(warehouse, lang)
    with st.expander(t("new_warehouse", lang)):
        _warehouse_form(lang)


def _lines(key: str, items: dict[str, str], lang: str, receipt: bool) -> list[dict]:
    """Lines added one by one (item, quantity; for a receipt also batch and expiry), kept
    until saved or cleared."""
    lines = st.session_state.setdefault(key, [])
    columns = st.columns([3, 2, 2, 2] if receipt else [3, 2])
    item = columns[0].selectbox(
        t("field_item", lang), list(items), format_func=items.get, key=f"{key}_item"
    )
    quantity = columns[1].number_input(
        t("field_quantity", lang), min_value=1, step=1, key=f"{key}_qty"
    )
    line = {"item": item, "quantity": int(quantity)}
    if receipt:
        line["batch"] = columns[2].text_input(
            t("field_batch", lang), key=f"{key}_batch", placeholder="A2024"
        )
        line["expires_on"] = columns[3].date_input(
            t("field_expires_on", lang), value=None, key=f"{key}_expires", format="DD/MM/YYYY"
        )
    left, right = st.columns(2)
    if left.button(t("add_line", lang), key=f"{key}_add"):
        lines.append(line)
    if lines and right.button(t("clear_lines", lang), key=f"{key}_clear"):
        lines.clear()
    if lines:
        show_table(
            pd.DataFrame(lines)
            .rename(columns=lambda c: t(f"field_{c}", lang))
            .assign(**{t("field_item", lang): [items.get(x["item"], x["item"]) for x in lines]}),
            lang,
            hide_index=True,
            width="stretch",
        )
    return lines


def _receive_form(lang: str) -> None:
    warehouse = _warehouse_picker("col_warehouse", "receive_warehouse", lang, mine=True)
    lines = _lines("receive_lines", _items(lang), lang, receipt=True)
    source = st.text_input(t("field_source", lang), key="receive_source")
    document = st.text_input(t("field_document", lang), key="receive_document")
    if st.button(t("save_receipt", lang), type="primary", disabled=not lines or warehouse is None):

        def save() -> None:
            data.receive(warehouse, lines, source, document or None, shell.actor())
            lines.clear()

        _try(save, t("receipt_saved", lang), lang)


def _adjust_form(warehouse: int, lang: str) -> None:
    held = data.load_stock(lang)
    held = held[held["warehouse_id"] == warehouse]
    if held.empty:
        st.caption(t("no_stock", lang))
        return
    item, batch, on_hand = t("col_item", lang), t("col_batch", lang), t("col_on_hand", lang)
    choices = {
        f"{r['item']}|{r[batch]}": f"{r[item]} · {r[batch]} ({number(r[on_hand], lang)})"
        for r in held.to_dict("records")
    }
    with st.form("adjust_form", enter_to_submit=False):
        chosen = st.selectbox(t("field_batch", lang), list(choices), format_func=choices.get)
        quantity = st.number_input(t("adjust_quantity", lang), step=1, value=0)
        reason = st.selectbox(
            t("field_reason", lang),
            rules.ADJUSTMENT_REASONS,
            format_func=lambda r: t(f"reason_{r}", lang),
        )
        note = st.text_input(t("field_note", lang))
        if st.form_submit_button(t("save_adjustment", lang)):
            item, batch = chosen.split("|", 1)
            _try(
                lambda: data.adjust(
                    warehouse, item, batch, int(quantity), reason, note or None, shell.actor()
                ),
                t("adjustment_saved", lang),
                lang,
            )


def _transfer_form(warehouse: int, lang: str) -> None:
    items = _items(lang)
    with st.form("transfer_form", enter_to_submit=False):
        target = _warehouse_picker("to_warehouse", "transfer_to", lang)
        item = st.selectbox(t("field_item", lang), list(items), format_func=items.get)
        quantity = st.number_input(t("field_quantity", lang), min_value=1, step=1)
        document = st.text_input(t("field_document", lang), key="transfer_document")
        if st.form_submit_button(t("save_transfer", lang)):
            _try(
                lambda: data.transfer(
                    warehouse, target, [Line(item, int(quantity))], document or None, shell.actor()
                ),
                t("transfer_saved", lang),
                lang,
            )


def _warehouse_form(lang: str) -> None:
    with st.form("warehouse_form", enter_to_submit=False):
        name = st.text_input(t("field_name", lang))
        kind = st.selectbox(
            t("field_warehouse_kind", lang),
            rules.WAREHOUSE_KINDS,
            format_func=lambda k: t(f"wkind_{k}", lang),
        )
        code = st.text_input(t("field_kecamatan_code", lang), placeholder="32.03.11")
        left, right = st.columns(2)
        lat = left.text_input(t("field_lat", lang))
        lon = right.text_input(t("field_lon", lang))
        if st.form_submit_button(t("save_warehouse", lang)):
            values = {"name": name, "kind": kind, "kecamatan_code": code, "lat": lat, "lon": lon}
            _try(
                lambda: data.create_warehouse(values, shell.actor()),
                t("warehouse_saved", lang),
                lang,
            )


@st.fragment
def dispatch(incident_id: int, lang: str) -> None:
    """Send aid from a warehouse to a shelter, dapur umum or kecamatan of the incident."""
    if not shell.allowed("stock", lang):
        return
    warehouse = _warehouse_picker("from_warehouse", "dispatch_warehouse", lang, mine=True)
    if warehouse is None:
        st.info(t("no_warehouses", lang))
        return
    places = data.destinations(incident_id, lang)
    target = st.selectbox(
        t("destination", lang), list(places), format_func=places.get, key="dispatch_to"
    )
    held = data.load_balances(warehouse)
    if not held:
        st.info(t("no_stock", lang))
        return
    items = {
        i: f"{data.item_label(i, lang)} ({number(q, lang)} {rules.CATALOGUE[i].unit})"
        for i, q in sorted(held.items())
        if q > 0
    }
    lines = _lines("dispatch_lines", items, lang, receipt=False)
    wanted = [Line(x["item"], x["quantity"]) for x in lines]
    for line in wanted:
        plan = data.fefo_plan(warehouse, line.item, line.quantity)
        taken = ", ".join(f"{md(b)}: {number(q, lang)}" for b, q in plan) or NO_VALUE
        st.caption(t("fefo_plan", lang, item=data.item_label(line.item, lang), batches=taken))
    carrier = st.text_input(t("field_carrier", lang), key="dispatch_carrier")
    override = None
    if permits(shell.actor(), "release"):
        override = st.text_input(
            t("override_reason", lang), key="dispatch_override", help=t("override_help", lang)
        )
    if st.button(t("send_dispatch", lang), type="primary", disabled=not wanted):
        kind, place = target
        request = DispatchRequest(
            incident_id,
            warehouse,
            wanted,
            kecamatan_code=place if kind == "kecamatan" else None,
            shelter_id=place if kind == "shelter" else None,
            kitchen_id=place if kind == "kitchen" else None,
            carrier=carrier or None,
            override_reason=override or None,
        )

        def send() -> str:
            number = data.dispatch(request, shell.actor())
            lines.clear()
            return number

        _try(send, t("dispatch_saved", lang), lang)


@st.fragment
def receipts(incident_id: int, lang: str) -> None:
    """Dispatches of the incident: what is in transit, and the receipt (BAST) form."""
    table = data.load_dispatches(lang, incident_id)
    if table.empty:
        st.info(t("no_dispatches", lang))
        return
    show_table(
        table.drop(columns=["dispatch_id", "kitchen_id", "status", "item"]),
        lang,
        hide_index=True,
        width="stretch",
    )
    _downloads(lambda: data.distributions_export(lang), "distribusi", lang)
    moving = table[table["status"] == "in_transit"]
    if moving.empty or not shell.allowed("stock", lang):
        return
    notes = dict(
        zip(
            moving["dispatch_id"],
            moving[t("col_note_number", lang)] + " · " + moving[t("col_to", lang)],
            strict=False,
        )
    )
    st.subheader(t("confirm_receipt", lang))
    chosen = st.selectbox(
        t("col_note_number", lang), list(notes), format_func=notes.get, key="receipt_note_pick"
    )
    lines = moving[moving["dispatch_id"] == chosen]
    with st.form("receipt_form", enter_to_submit=False):
        sent = t("col_sent", lang)
        received = {
            r["item"]: st.number_input(
                f"{data.item_label(r['item'], lang)} ({sent.lower()} {number(r[sent], lang)})",
                min_value=0,
                value=int(r[sent]),
                step=1,
                key=f"got_{chosen}_{r['item']}",
            )
            for r in lines.to_dict("records")
        }
        signer = st.text_input(t("field_received_by", lang))
        note = st.text_area(t("field_receipt_note", lang), help=t("receipt_note_help", lang))
        if st.form_submit_button(t("save_receipt_bast", lang), type="primary"):
            _try(
                lambda: data.confirm_receipt(
                    int(chosen),
                    signer,
                    {k: int(v) for k, v in received.items()},
                    note or None,
                    shell.actor(),
                ),
                t("bast_saved", lang),
                lang,
            )


CLICKED = "shelter_clicked"


@st.fragment
def shelters(incident_id: int, lang: str) -> None:
    """The incident's shelters: a table, a map (click to place a new one) and the form."""
    table = data.load_shelters(incident_id)
    cover = data.load_cover(incident_id)
    if cover is not None:
        left, middle, right = st.columns(3)
        left.metric(t("shelters_open", lang), number(cover.shelters_open, lang))
        middle.metric(
            t("in_shelters", lang),
            number(cover.displaced_in_shelters, lang),
            help=t("source_shelters", lang),
        )
        right.metric(
            t("displaced", lang),
            number(cover.displaced_reported, lang),
            help=t("source_reports", lang),
        )
    shown = data.shelter_table(table, lang)
    if shown.empty:
        st.info(t("no_shelters", lang))
    else:
        show_table(shown, lang, hide_index=True, width="stretch")
    tiles = resources.tiles()
    fmap = maps.base_map(
        tiles.url,
        tiles.attribution,
        base_url_path=st.get_option("server.baseUrlPath"),
        outlines=resources.map_layers(),
    )
    placed = [
        (r.lat, r.lon, f"{r.name} · {number(int(r.people), lang)} {t('field_people', lang)}")
        for r in table.itertuples()
        if pd.notna(r.lat) and pd.notna(r.lon)
    ]
    maps.shelter_layer(placed).add_to(fmap)
    points = [(lat, lon) for lat, lon, _ in placed]
    if points:
        fmap.fit_bounds(
            [
                [min(p[0] for p in points), min(p[1] for p in points)],
                [max(p[0] for p in points), max(p[1] for p in points)],
            ],
            max_zoom=13,
        )
    else:
        centre = data.incident_centre(incident_id)
        if centre:
            fmap.location, fmap.options["zoom"] = list(centre), 11
    st.caption(t("click_to_place", lang))
    clicked = st_folium(
        fmap,
        key="shelter_map",
        returned_objects=["last_clicked"],
        height=380,
        use_container_width=True,
    )
    if clicked and clicked.get("last_clicked"):
        st.session_state[CLICKED] = clicked["last_clicked"]
    if not shell.allowed("shelter", lang):
        return
    _shelter_form(incident_id, table, lang)


def _shelter_form(incident_id: int, table: pd.DataFrame, lang: str) -> None:
    mine = data.in_scope(table, shell.actor())
    options = {None: t("new_shelter", lang), **dict(zip(mine["id"], mine["name"], strict=True))}
    chosen = st.selectbox(
        t("edit_shelter", lang), list(options), format_func=options.get, key="shelter_pick"
    )
    row = table[table["id"] == chosen].iloc[0] if chosen is not None else None
    clicked = st.session_state.get(CLICKED) or {}

    def value(field: str, default=None):
        return default if row is None or pd.isna(row[field]) else row[field]

    with st.form(f"shelter_form_{chosen}", enter_to_submit=False):
        name = st.text_input(
            t("field_name", lang), value=value("name", ""), key=f"shelter_name_{chosen}"
        )
        code = st.text_input(
            t("field_kecamatan_code", lang),
            value=value("kecamatan_code", ""),
            key=f"shelter_code_{chosen}",
        )
        left, right = st.columns(2)  # no key: a click on the map fills them in
        lat = left.text_input(
            t("field_lat", lang), value=str(value("lat", clicked.get("lat", "")) or "")
        )
        lon = right.text_input(
            t("field_lon", lang), value=str(value("lon", clicked.get("lng", "")) or "")
        )
        groups = {}
        columns = st.columns(4)
        for i, field in enumerate(
            ("capacity", "people", "families", "toddlers", "pregnant", "elderly", "disabled")
        ):
            groups[field] = columns[i % 4].number_input(
                t(f"field_{field}", lang),
                min_value=0,
                step=1,
                value=int(value(field, 0) or 0),
                key=f"shelter_{field}_{chosen}",
            )
        left, right = st.columns(2)
        opened = left.date_input(
            t("field_opened_on", lang),
            value=value("opened_on", data.incident_today(incident_id)),
            format="DD/MM/YYYY",
        )
        closed = right.date_input(
            t("field_closed_on", lang), value=value("closed_on"), format="DD/MM/YYYY"
        )
        contact = st.text_input(
            t("field_contact_name", lang), value=value("contact_name", "") or ""
        )
        phone = st.text_input(
            t("field_contact_phone", lang), value=value("contact_phone", "") or ""
        )
        if st.form_submit_button(t("save_shelter", lang), type="primary"):
            values = {
                "name": name,
                "kecamatan_code": code,
                "lat": lat,
                "lon": lon,
                **groups,
                "opened_on": opened,
                "closed_on": closed,
                "contact_name": contact,
                "contact_phone": phone,
            }
            version = None if row is None else int(row["version"])
            _try(
                lambda: data.save_shelter(incident_id, values, shell.actor(), chosen, version),
                t("shelter_saved", lang),
                lang,
            )


@st.fragment
def kitchens(incident_id: int, lang: str) -> None:
    """The incident's dapur umum, the portions they served per day and meal, and the forms."""
    table = data.kitchen_table(incident_id, lang)
    if table.empty:
        st.info(t("no_kitchens", lang))
    else:
        show_table(table.drop(columns="id"), lang, hide_index=True, width="stretch")
        meals = data.load_meals(incident_id, lang)
        if not meals.empty:
            st.markdown(f"**{t('meals_served', lang)}**")
            show_table(meals, lang, width="stretch")
    if not shell.allowed("shelter", lang):
        return
    kitchens = data.in_scope(data.load_kitchens(incident_id), shell.actor())
    if not kitchens.empty:
        names = dict(zip(kitchens["id"], kitchens["name"], strict=True))
        with st.form("meals_form", enter_to_submit=False):
            kitchen = st.selectbox(t("kitchen", lang), list(names), format_func=names.get)
            left, middle, right = st.columns(3)
            day = left.date_input(
                t("field_day", lang), value=data.incident_today(incident_id), format="DD/MM/YYYY"
            )
            meal = middle.selectbox(
                t("field_meal", lang), rules.MEALS, format_func=lambda m: t(f"meal_{m}", lang)
            )
            portions = right.number_input(t("field_portions", lang), min_value=0, step=10)
            if st.form_submit_button(t("save_meals", lang), type="primary"):
                values = {"day": day, "meal": meal, "portions": portions}
                _try(
                    lambda: data.record_meals(kitchen, values, shell.actor()),
                    t("meals_saved", lang),
                    lang,
                )
    _kitchen_form(incident_id, lang)


def _kitchen_form(incident_id: int, lang: str) -> None:
    """Open a dapur umum, or change one (its team, its end date)."""
    kitchens = data.in_scope(data.load_kitchens(incident_id), shell.actor())
    options = {
        None: t("new_kitchen", lang),
        **dict(zip(kitchens["id"], kitchens["name"], strict=True)),
    }
    chosen = st.selectbox(
        t("edit_kitchen", lang), list(options), format_func=options.get, key="kitchen_pick"
    )
    row = kitchens[kitchens["id"] == chosen].iloc[0] if chosen is not None else None

    def value(field: str, default=None):
        return default if row is None or pd.isna(row[field]) else row[field]

    teams = data.load_team_names()
    with st.form(f"kitchen_form_{chosen}", enter_to_submit=False):
        name = st.text_input(t("field_name", lang), value=value("name", ""))
        code = st.text_input(
            t("field_kecamatan_code", lang),
            value=value("kecamatan_code", ""),
            placeholder="32.03.11",
        )
        left, right = st.columns(2)
        lat = left.text_input(t("field_lat", lang), value=str(value("lat", "")))
        lon = right.text_input(t("field_lon", lang), value=str(value("lon", "")))
        team_ids = [None, *teams]
        current = value("team_id")
        team = st.selectbox(
            t("field_team_id", lang),
            team_ids,
            index=team_ids.index(int(current)) if current in teams else 0,
            format_func=lambda i: NO_VALUE if i is None else teams[i],
        )
        left, right = st.columns(2)
        started = left.date_input(
            t("field_started_on", lang),
            value=value("started_on", data.incident_today(incident_id)),
            format="DD/MM/YYYY",
        )
        ended = right.date_input(
            t("field_ended_on", lang), value=value("ended_on"), format="DD/MM/YYYY"
        )
        if st.form_submit_button(t("save_kitchen", lang)):
            values = {
                "name": name,
                "kecamatan_code": code,
                "lat": lat,
                "lon": lon,
                "team_id": team,
                "started_on": started,
                "ended_on": ended,
            }
            _try(
                lambda: data.save_kitchen(incident_id, values, shell.actor(), chosen),
                t("kitchen_saved", lang),
                lang,
            )


def cover(incident_id: int, lang: str) -> None:
    """Needs against deliveries and nearby stock: what runs out first, per kecamatan."""
    view = data.load_cover(incident_id)
    if view is None:
        return
    left, middle, right = st.columns(3)
    left.metric(
        t("cover_people", lang),
        number(view.people, lang),
        help=t("source_reports" if view.displaced_reported else "source_shelters", lang),
    )
    middle.metric(t("meals_served", lang), number(view.meals_served, lang))
    right.metric(
        t("warehouses_counted", lang), len(view.warehouses), help=", ".join(view.warehouses) or None
    )
    for line in data.cover_sentences(view, lang):
        st.markdown(f"- {md(line)}")
    table = data.cover_table(view, lang)
    if table.empty:
        st.info(t("no_cover", lang))
    else:
        show_table(table, lang, hide_index=True, width="stretch")
    st.caption(t("cover_rules", lang, rules=data.rules_text(lang)))
    st.markdown(f"**{t('needs_by_kecamatan', lang)}**")
    by_kecamatan = data.kecamatan_table(view, lang)
    if by_kecamatan.empty:
        st.caption(t("no_needs", lang))
    else:
        show_table(by_kecamatan, lang, hide_index=True, width="stretch")


def opening_import(lang: str) -> None:
    st.caption(t("opening_help", lang))
    importer = Importer(
        kind=OPENING,
        preview=data.preview_opening,
        run=lambda content, name, progress: data.import_opening(
            content, name, shell.actor(), progress
        ),
        resubmit=data.resubmit_opening,
    )
    import_panel(importer, lang)
