/*
 * Native side of "meterbox-system" on the ESP32 (see ../system.js): hardware RNG, restart, and the
 * OTA slot state that embedded:update does not report (ESP-IDF esp_ota_* / esp_partition_*).
 */
#include "xsmc.h"
#include "xsHost.h"
#include "mc.xs.h"

#include "esp_system.h"
#include "esp_random.h"
#include "esp_partition.h"
// Moddable's makefile puts $(IDF_PATH)/components on the include path, not each component's
// include/ folder, so app_update's header is named from there (as the SDK's own modules do).
#include "app_update/include/esp_ota_ops.h"
#include "sdkconfig.h"

void xs_meterbox_fill_random(xsMachine *the)
{
	void *data;
	xsUnsignedValue size;
	xsmcGetBufferWritable(xsArg(0), &data, &size);
	esp_fill_random(data, size);
}

void xs_meterbox_restart(xsMachine *the)
{
	esp_restart();
}

static const char *stateName(const esp_partition_t *partition)
{
	esp_ota_img_states_t state;
	if (ESP_OK != esp_ota_get_state_partition(partition, &state))
		return "empty";
	switch (state) {
		case ESP_OTA_IMG_NEW: return "new";
		case ESP_OTA_IMG_PENDING_VERIFY: return "pending-verify";
		case ESP_OTA_IMG_VALID: return "valid";
		case ESP_OTA_IMG_INVALID: return "invalid";
		case ESP_OTA_IMG_ABORTED: return "aborted";
		default: return "undefined";
	}
}

static void setVersion(xsMachine *the, xsSlot *object, xsSlot *scratch, const esp_partition_t *partition)
{
	esp_app_desc_t desc;
	if (ESP_OK == esp_ota_get_partition_description(partition, &desc)) {
		desc.version[sizeof(desc.version) - 1] = 0;
		xsmcSetString(*scratch, desc.version);
		xsmcSet(*object, xsID("version"), *scratch);
	}
}

void xs_meterbox_ota_info(xsMachine *the)
{
	const esp_partition_t *running = esp_ota_get_running_partition();
	const esp_partition_t *boot = esp_ota_get_boot_partition();
	const esp_partition_t *next = esp_ota_get_next_update_partition(NULL);
	int index = 0;

	xsmcVars(3);
	xsmcSetNewObject(xsResult);
#ifdef CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE
	xsmcSetTrue(xsVar(0));
#else
	xsmcSetFalse(xsVar(0));
#endif
	xsmcSet(xsResult, xsID("rollbackSupported"), xsVar(0));
	xsmcSetBoolean(xsVar(0), NULL != next);
	xsmcSet(xsResult, xsID("hasSlots"), xsVar(0));

	xsmcSetNewObject(xsVar(1));
	xsmcSetString(xsVar(0), running ? (char *)running->label : "");
	xsmcSet(xsVar(1), xsID("label"), xsVar(0));
	xsmcSetBoolean(xsVar(0), running && !c_strcmp(stateName(running), "pending-verify"));
	xsmcSet(xsVar(1), xsID("pendingVerify"), xsVar(0));
	if (running)
		setVersion(the, &xsVar(1), &xsVar(0), running);
	xsmcSet(xsResult, xsID("running"), xsVar(1));

	xsmcSetNewObject(xsVar(1));
	xsmcSetString(xsVar(0), next ? (char *)next->label : "");
	xsmcSet(xsVar(1), xsID("label"), xsVar(0));
	xsmcSetInteger(xsVar(0), next ? next->size : 0);
	xsmcSet(xsVar(1), xsID("sizeBytes"), xsVar(0));
	xsmcSet(xsResult, xsID("next"), xsVar(1));

	xsmcSetNewArray(xsVar(2), 0);
	esp_partition_iterator_t it = esp_partition_find(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_ANY, NULL);
	while (it) {
		const esp_partition_t *partition = esp_partition_get(it);
		xsmcSetNewObject(xsVar(1));
		xsmcSetString(xsVar(0), (char *)partition->label);
		xsmcSet(xsVar(1), xsID("label"), xsVar(0));
		xsmcSetInteger(xsVar(0), partition->size);
		xsmcSet(xsVar(1), xsID("sizeBytes"), xsVar(0));
		xsmcSetString(xsVar(0), (char *)stateName(partition));
		xsmcSet(xsVar(1), xsID("state"), xsVar(0));
		setVersion(the, &xsVar(1), &xsVar(0), partition);
		xsmcSetBoolean(xsVar(0), running && (running->address == partition->address));
		xsmcSet(xsVar(1), xsID("running"), xsVar(0));
		xsmcSetBoolean(xsVar(0), boot && (boot->address == partition->address));
		xsmcSet(xsVar(1), xsID("nextBoot"), xsVar(0));
		xsmcSetIndex(xsVar(2), index++, xsVar(1));
		it = esp_partition_next(it);
	}
	xsmcSet(xsResult, xsID("slots"), xsVar(2));
}

void xs_meterbox_ota_mark_valid(xsMachine *the)
{
	esp_err_t err = esp_ota_mark_app_valid_cancel_rollback();
	if (ESP_OK != err)
		xsUnknownError("mark valid failed");
}

void xs_meterbox_ota_rollback(xsMachine *the)
{
	esp_ota_mark_app_invalid_rollback_and_reboot();		// returns only when there is nothing to roll back to
	xsUnknownError("no previous image to roll back to");
}
