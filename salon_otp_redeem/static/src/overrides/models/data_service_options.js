// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import {DataServiceOptions} from "@point_of_sale/app/models/data_service_options";
import {patch} from "@web/core/utils/patch";

patch(DataServiceOptions.prototype, {
    /**
     * Orders read from the server may point to challenges of other cashiers,
     * which the record rules hide: never fetch them automatically. The dialog
     * reads the one challenge it verified.
     */
    get pohibitedAutoLoadedModels() {
        return [...super.pohibitedAutoLoadedModels, "salon.otp.challenge"];
    },
});
