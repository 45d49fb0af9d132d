/*
 * Small device services the app needs and the SDK modules do not expose directly:
 *   fillRandom(buffer)  hardware random bytes (esp_fill_random; /dev/urandom in the simulator),
 *                        for password salts and session tokens
 *   restart()           reboot (esp_restart; the simulator only logs it)
 *   otaInfo()           { rollbackSupported, running, next: {label, sizeBytes}, slots: [...] }
 *   otaMarkValid()      esp_ota_mark_app_valid_cancel_rollback
 *   otaRollback()       esp_ota_mark_app_invalid_rollback_and_reboot
 * Natives: esp32/system.c, lin/system.c. Declaration: system.d.ts.
 */
function fillRandom(buffer) @ "xs_meterbox_fill_random";
function restart() @ "xs_meterbox_restart";
function otaInfo() @ "xs_meterbox_ota_info";
function otaMarkValid() @ "xs_meterbox_ota_mark_valid";
function otaRollback() @ "xs_meterbox_ota_rollback";

export { fillRandom, restart, otaInfo, otaMarkValid, otaRollback };
