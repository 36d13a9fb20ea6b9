import { Component, onWillDestroy, onWillStart, status, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { KeepLast } from "@web/core/utils/concurrency";
import { useService } from "@web/core/utils/hooks";
import { useSetupAction } from "@web/search/action_hook";
import { Layout } from "@web/search/layout";

/**
 * The 销控表 (UC-1): a building's units by floor, coloured by state, filtered by building and state,
 * following the units live (each change of a unit is sent on the bus to the office's users).
 */
export class UnitGrid extends Component {
    static template = "real_estate_attribution.UnitGrid";
    static components = { Layout };
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.busService = useService("bus_service");
        // A live update may arrive while the user changes the building: only the latest load is shown.
        this.keepLast = new KeepLast();
        const context = this.props.action?.context || {};
        const restored = this.props.state || {}; // back from a unit by the breadcrumb: the same building
        this.state = useState({
            data: null,
            buildingId: restored.buildingId || context.building_id || false,
            teamId: context.team_id || false,
            states: restored.states || [],
        });
        useSetupAction({
            getLocalState: () => ({ buildingId: this.state.buildingId, states: [...this.state.states] }),
        });
        this.onUnitsUpdated = (payload) => {
            if (status(this) === "destroyed") {
                return; // left for a unit's form in the meantime
            }
            if (!this.state.teamId || payload.team_id === this.state.teamId) {
                this.load();
            }
        };
        this.busService.subscribe("real_estate_unit/updated", this.onUnitsUpdated);
        this.busService.start();
        onWillStart(() => this.load());
        // destroyed also when never mounted (left before its first load ended): always unsubscribe
        onWillDestroy(() => this.busService.unsubscribe("real_estate_unit/updated", this.onUnitsUpdated));
    }

    get display() {
        return { controlPanel: {} };
    }

    /** The name of the building the chart shows (the one the data was loaded for). */
    get buildingName() {
        const data = this.state.data;
        return data?.buildings.find((b) => b.id === data.building_id)?.name || "";
    }

    get title() {
        return _t("Unit Control Chart");
    }

    async load() {
        const data = await this.keepLast.add(
            this.orm.call("real.estate.unit", "unit_grid", [], {
                team_id: this.state.teamId || null,
                building_id: this.state.buildingId || null,
                states: this.state.states.length ? this.state.states : null,
            })
        );
        this.state.data = data;
        this.state.buildingId = data.building_id;
    }

    async onBuildingChange(ev) {
        this.state.buildingId = parseInt(ev.target.value) || false;
        await this.load();
    }

    async toggleState(key) {
        const states = this.state.states;
        const index = states.indexOf(key);
        if (index >= 0) {
            states.splice(index, 1);
        } else {
            states.push(key);
        }
        await this.load();
    }

    cellsOf(floor) {
        const byPosition = Object.fromEntries(floor.units.map((unit) => [unit.position, unit]));
        const positions = Math.max(this.state.data.positions, ...floor.units.map((unit) => unit.position));
        return Array.from({ length: positions }, (_, i) => byPosition[i + 1] || { empty: true, position: i + 1 });
    }

    stateLabel(key) {
        return this.state.data.states.find((s) => s.key === key)?.label || key;
    }

    async openUnit(cell) {
        await this.actionService.doAction({
            type: "ir.actions.act_window",
            res_model: "real.estate.unit",
            res_id: cell.id,
            views: [[false, "form"]],
            target: "current",
        });
    }
}

registry.category("actions").add("real_estate_unit_grid", UnitGrid);
