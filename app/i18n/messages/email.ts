/** Owned by one step; see the file's keys' prefix "email.". */
const zh = {
  "email._": "",
};

export const email = {
  "zh-CN": zh,
  en: {
    "email._": "",
  } satisfies Record<keyof typeof zh, string>,
};
