//! Ids documented by Anam: the stock "Cara" avatar and voice, and the special LLM ids.

/// The stock "Cara" avatar, used in Anam's documented example persona.
pub const CARA_AVATAR: &str = "30fa96d0-26c4-4e55-94a0-517025942e18";

/// The stock "Cara" voice, used in Anam's documented example persona.
pub const CARA_VOICE: &str = "6bfbe25a-979d-40f3-a92b-5394170af54b";

/// The LLM id in Anam's documented example persona (Anam's MCP server calls it GPT-4o-mini).
pub const LLM_EXAMPLE: &str = "7736a22f-2d79-4720-952c-25fdca55ad40";

/// The LLM older Anam guides name as the default when `llmId` is not sent ("OpenAI GPT-4 Mini").
pub const LLM_DEFAULT: &str = "0934d97d-0c3a-4f33-91b0-5e136a0ef466";

/// The `llmId` that turns Anam's LLM off: you bring your own through talk streams.
pub const LLM_CUSTOMER_CLIENT: &str = "CUSTOMER_CLIENT_V1";
