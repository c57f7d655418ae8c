// eslint for the add-ons' JS (`make lint`): ESLint's recommended rules and a
// few of those OCA's template enables, for Odoo 19's ES modules in the browser.
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
    {
        ignores: [
            "node_modules/",
            ".venv/",
            ".odoo-src/",
            ".odoo-data/",
            "**/static/lib/",
        ],
    },
    js.configs.recommended,
    {
        files: ["**/*.js"],
        languageOptions: {
            ecmaVersion: 2024,
            sourceType: "module",
            globals: {
                ...globals.browser,
                odoo: "readonly",
                owl: "readonly",
                luxon: "readonly",
            },
        },
        rules: {
            eqeqeq: "error",
            "no-var": "error",
            "prefer-const": "error",
            "no-eval": "error",
            "no-implied-eval": "error",
            "no-debugger": "error",
            "no-alert": "error",
            "no-duplicate-imports": "error",
            "no-use-before-define": ["error", {functions: false}],
            "no-shadow": "error",
            "no-unused-vars": ["error", {args: "none"}],
            "no-console": "error",
        },
    },
];
