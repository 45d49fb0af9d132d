/**
 * Moddable's classic MQTT client ($MODDABLE/modules/network/mqtt/mqtt.js, SDK 8.2.x), which
 * @moddable/typings 5.6.0 does not declare: MQTT 3.1.1, QoS 0, over the classic "socket" module.
 */
declare module 'mqtt' {
  export default class Client {
    constructor(dictionary: {
      host: string;
      port?: number;
      id?: string;
      user?: string;
      password?: string;
      will?: { topic: string; message: string | ArrayBuffer; retain?: boolean; quality?: number };
      /** Keep-alive, milliseconds (0: none). */
      timeout?: number;
    });
    onReady?: () => void;
    onClose?: () => void;
    onMessage?: (topic: string, body: ArrayBuffer) => void;
    /** Throws when the connection is not up, or (socket) when the send buffer cannot take it all. */
    publish(topic: string, data: string | ArrayBuffer, flags?: { retain?: boolean; quality?: number }): void;
    close(immediate?: boolean): void;
  }
}
