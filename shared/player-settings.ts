// Settings of Epic's frontend library (its Config initialSettings) for a player that
// only watches: no input of any kind reaches the app, video plays muted, no idle
// timeout, the stream's own resolution. Shared by the measuring viewer and the wall.
export const WATCH_ONLY_SETTINGS = {
  AutoPlayVideo: true,
  StartVideoMuted: true,
  HoveringMouse: true,
  KeyboardInput: false,
  MouseInput: false,
  TouchInput: false,
  GamepadInput: false,
  XRControllerInput: false,
  TimeoutIfIdle: false,
  MatchViewportRes: false,
} as const;
