/** Owned by one step; see the file's keys' prefix "dashboard.". */
const zh = {
  "dashboard._": "",
};

export const dashboard = {
  "zh-CN": zh,
  en: {
    "dashboard._": "",
  } satisfies Record<keyof typeof zh, string>,
};
