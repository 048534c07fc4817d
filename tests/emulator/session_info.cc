// The session_info dictionaries /web/session/authenticate and get_session_info answer, as
// recorded from each Odoo version (tests/data/odoo-transcripts/<version>/login.json); the
// emulator fills in the user, database and server version. The web client reads these keys,
// so their shapes are what matters, and they change with every version.
#include "tests/emulator/session_info.h"

namespace odoo_prober::emulator {

namespace {

constexpr const char* kSessionInfo16 =
    R"json({"uid":2,"is_system":true,"is_admin":true,"user_context":{"lang":"en_US","tz":"Europe/Brus)json"
    R"json(sels","uid":2},"db":"probe16","server_version":"16.0-20240216","server_version_info":[16,0)json"
    R"json(,0,"final",0,""],"support_url":"https://www.odoo.com/buy","name":"Mitchell Admin","usernam)json"
    R"json(e":"admin","partner_display_name":"YourCompany, Mitchell Admin","company_id":1,"partner_id)json"
    R"json(":3,"web.base.url":"https://127.0.0.1:8442","active_ids_limit":20000,"profile_session":nul)json"
    R"json(l,"profile_collectors":null,"profile_params":null,"max_file_upload_size":134217728,"home_a)json"
    R"json(ction_id":false,"cache_hashes":{"translations":"98bcb8c5855e86a76bd978169ec990b88ef7854d",)json"
    R"json("load_menus":"27e9e61d6b464ed3ffe3c6515a51ec47246e83dffd113ba9e90a164790d7c828"},"currenci)json"
    R"json(es":{"1":{"symbol":"€","position":"after","digits":[69,2]},"2":{"symbol":"$","position":"b)json"
    R"json(efore","digits":[69,2]}},"bundle_params":{"lang":"en_US"},"user_companies":{"current_compa)json"
    R"json(ny":1,"allowed_companies":{"2":{"id":2,"name":"My Company (Chicago)","sequence":10},"1":{")json"
    R"json(id":1,"name":"My Company (San Francisco)","sequence":0}}},"show_effect":true,"display_swit)json"
    R"json(ch_company_menu":true,"user_id":[2],"max_time_between_keys_in_ms":100,"web_tours":[],"tour)json"
    R"json(_disable":true,"notification_type":"email","odoobot_initialized":true,"iap_company_enrich")json"
    R"json(:true})json";

constexpr const char* kSessionInfo17 =
    R"json({"uid":2,"is_system":true,"is_admin":true,"is_internal_user":true,"user_context":{"lang":")json"
    R"json(en_US","tz":"Europe/Brussels","uid":2},"db":"probe17","user_settings":{"id":1,"user_id":{")json"
    R"json(id":2},"is_discuss_sidebar_category_channel_open":true,"is_discuss_sidebar_category_chat_o)json"
    R"json(pen":true,"push_to_talk_key":false,"use_push_to_talk":false,"voice_active_duration":200,"v)json"
    R"json(olume_settings_ids":[["ADD",[]]]},"server_version":"17.0-20240709","server_version_info":[)json"
    R"json(17,0,0,"final",0,""],"support_url":"https://www.odoo.com/buy","name":"Mitchell Admin","use)json"
    R"json(rname":"admin","partner_display_name":"YourCompany, Mitchell Admin","partner_id":3,"web.ba)json"
    R"json(se.url":"https://127.0.0.1:8443","active_ids_limit":20000,"profile_session":null,"profile_)json"
    R"json(collectors":null,"profile_params":null,"max_file_upload_size":134217728,"home_action_id":f)json"
    R"json(alse,"cache_hashes":{"translations":"67dc85115ec9f248349a15d559552e011a0e977a","load_menus)json"
    R"json(":"085382404a8ec6a6f4c849f74c04b537e7a6ed843e7065ec1942211aee862ad2"},"currencies":{"1":{")json"
    R"json(symbol":"$","position":"before","digits":[69,2]}},"bundle_params":{"lang":"en_US"},"user_c)json"
    R"json(ompanies":{"current_company":1,"allowed_companies":{"2":{"id":2,"name":"My Company (Chicag)json"
    R"json(o)","sequence":10,"child_ids":[],"parent_id":false},"1":{"id":1,"name":"My Company (San Fr)json"
    R"json(ancisco)","sequence":0,"child_ids":[],"parent_id":false}},"disallowed_ancestor_companies":)json"
    R"json({}},"show_effect":true,"display_switch_company_menu":true,"user_id":[2],"max_time_between_)json"
    R"json(keys_in_ms":100,"web_tours":[],"tour_disable":true,"notification_type":"email","odoobot_in)json"
    R"json(itialized":true,"iap_company_enrich":true,"is_quick_edit_mode_enabled":false})json";

constexpr const char* kSessionInfo18 =
    R"json({"uid":2,"is_system":true,"is_admin":true,"is_public":false,"is_internal_user":true,"user_)json"
    R"json(context":{"lang":"en_US","tz":"Europe/Brussels","uid":2},"db":"probe18","user_settings":{")json"
    R"json(id":1,"user_id":{"id":2},"is_discuss_sidebar_category_channel_open":true,"is_discuss_sideb)json"
    R"json(ar_category_chat_open":true,"push_to_talk_key":false,"use_push_to_talk":false,"voice_activ)json"
    R"json(e_duration":200,"channel_notifications":false,"mute_until_dt":false,"volumes":[["ADD",[]]])json"
    R"json(},"server_version":"18.0-20250925","server_version_info":[18,0,0,"final",0,""],"support_ur)json"
    R"json(l":"https://www.odoo.com/buy","name":"Mitchell Admin","username":"admin","quick_login":tru)json"
    R"json(e,"partner_write_date":"2026-11-21 17:32:56","partner_display_name":"YourCompany, Mitchell)json"
    R"json( Admin","partner_id":3,"web.base.url":"https://127.0.0.1:8444","active_ids_limit":20000,"p)json"
    R"json(rofile_session":null,"profile_collectors":null,"profile_params":null,"max_file_upload_size)json"
    R"json(":134217728,"home_action_id":false,"cache_hashes":{"translations":"5117993a32fde1c9a2bb56f)json"
    R"json(32a7d9ed9056bcda5","load_menus":"61c8a26a3e0977c71f757e0e9ffb9e1e6dc9bec3de38b0c1389910428)json"
    R"json(de2a4fd"},"currencies":{"1":{"symbol":"$","position":"before","digits":[69,2]}},"bundle_pa)json"
    R"json(rams":{"lang":"en_US"},"test_mode":false,"view_info":{"list":{"display_name":"List","icon")json"
    R"json(:"oi oi-view-list","multi_record":true},"form":{"display_name":"Form","icon":"fa fa-addres)json"
    R"json(s-card","multi_record":false},"graph":{"display_name":"Graph","icon":"fa fa-area-chart","m)json"
    R"json(ulti_record":true},"pivot":{"display_name":"Pivot","icon":"oi oi-view-pivot","multi_record)json"
    R"json(":true},"calendar":{"display_name":"Calendar","icon":"fa fa-calendar","multi_record":true})json"
    R"json(,"kanban":{"display_name":"Kanban","icon":"oi oi-view-kanban","multi_record":true},"search)json"
    R"json(":{"display_name":"Search","icon":"oi oi-search","multi_record":true},"activity":{"display)json"
    R"json(_name":"Activity","icon":"fa fa-clock-o","multi_record":true}},"user_companies":{"current_)json"
    R"json(company":1,"allowed_companies":{"2":{"id":2,"name":"My Company (Chicago)","sequence":10,"c)json"
    R"json(hild_ids":[],"parent_id":false},"1":{"id":1,"name":"My Company (San Francisco)","sequence")json"
    R"json(:0,"child_ids":[],"parent_id":false}},"disallowed_ancestor_companies":{}},"show_effect":tr)json"
    R"json(ue,"display_switch_company_menu":true,"max_time_between_keys_in_ms":150,"websocket_worker_)json"
    R"json(version":"18.0-5","tour_enabled":false,"current_tour":null,"storeData":{"Store":{"action_d)json"
    R"json(iscuss_id":126,"channel_types_with_seen_infos":["chat","group"],"hasGifPickerFeature":fals)json"
    R"json(e,"hasLinkPreviewFeature":true,"hasMessageTranslationFeature":false,"internalUserGroupId":)json"
    R"json(1,"mt_comment_id":1,"odoobot":{"id":2,"type":"partner"},"self":{"id":3,"type":"partner"},")json"
    R"json(settings":{"id":1,"user_id":{"id":2},"is_discuss_sidebar_category_channel_open":true,"is_d)json"
    R"json(iscuss_sidebar_category_chat_open":true,"push_to_talk_key":false,"use_push_to_talk":false,)json"
    R"json("voice_active_duration":200,"channel_notifications":false,"mute_until_dt":false,"volumes":)json"
    R"json([["ADD",[]]]}},"res.partner":[{"active":false,"avatar_128_access_token":"cdd5c01bbd712f55d)json"
    R"json(fde96496a468abd44511d8c1812c205a50ff2a7d929a702o0x6b2f2f51","email":"odoobot@example.com",)json"
    R"json("id":2,"im_status":"bot","isInternalUser":true,"is_company":false,"name":"OdooBot","userId)json"
    R"json(":1,"write_date":"2026-11-21 17:32:56"},{"active":true,"avatar_128_access_token":"80b438a1)json"
    R"json(0f876e57927900ce13f553c90b7e594ca5abf9b6d47e5d3590ee7598o0x6b2f3078","id":3,"isAdmin":true)json"
    R"json(,"isInternalUser":true,"name":"Mitchell Admin","notification_preference":"email","signatur)json"
    R"json(e":"<span data-o-mail-quote=\"1\">-- <br data-o-mail-quote=\"1\">Mitchell Admin</span>","u)json"
    R"json(serId":2,"write_date":"2026-11-21 17:32:56"}]},"iap_company_enrich":true,"can_insert_in_sp)json"
    R"json(readsheet":false})json";

constexpr const char* kSessionInfo19 =
    R"json({"uid":2,"is_system":true,"is_admin":true,"is_public":false,"is_internal_user":true,"user_)json"
    R"json(context":{"lang":"en_US","tz":"Europe/Brussels","uid":2},"db":"probe19","registry_hash":"3)json"
    R"json(b9cf97a76cba2e9e843e61e1d51da6cdc551d60914dee37ed2abc64e37a6dd4","user_settings":{"id":1,")json"
    R"json(embedded_actions_config_ids":{},"is_discuss_sidebar_category_channel_open":true,"is_discus)json"
    R"json(s_sidebar_category_chat_open":true,"push_to_talk_key":false,"use_push_to_talk":false,"voic)json"
    R"json(e_active_duration":200,"channel_notifications":false,"user_id":{"id":2},"volumes":[["ADD",)json"
    R"json([]]]},"server_version":"19.0-20251227","server_version_info":[19,0,0,"final",0,""],"suppor)json"
    R"json(t_url":"https://www.odoo.com/buy","name":"Mitchell Admin","username":"admin","quick_login")json"
    R"json(:true,"partner_write_date":"2026-11-26 11:07:20","partner_display_name":"YourCompany, Mitc)json"
    R"json(hell Admin","partner_id":3,"web.base.url":"https://127.0.0.1:8445","active_ids_limit":2000)json"
    R"json(0,"profile_session":null,"profile_collectors":null,"profile_params":null,"max_file_upload_)json"
    R"json(size":134217728,"home_action_id":false,"currencies":{"1":{"name":"USD","symbol":"$","posit)json"
    R"json(ion":"before","digits":[69,2]}},"bundle_params":{"lang":"en_US"},"test_mode":false,"view_i)json"
    R"json(nfo":{"list":{"display_name":"List","icon":"oi oi-view-list","multi_record":true},"form":{)json"
    R"json("display_name":"Form","icon":"fa fa-address-card","multi_record":false},"graph":{"display_)json"
    R"json(name":"Graph","icon":"fa fa-area-chart","multi_record":true},"pivot":{"display_name":"Pivo)json"
    R"json(t","icon":"oi oi-view-pivot","multi_record":true},"calendar":{"display_name":"Calendar","i)json"
    R"json(con":"fa fa-calendar","multi_record":true},"kanban":{"display_name":"Kanban","icon":"oi oi)json"
    R"json(-view-kanban","multi_record":true},"search":{"display_name":"Search","icon":"oi oi-search")json"
    R"json(,"multi_record":true},"activity":{"display_name":"Activity","icon":"fa fa-clock-o","multi_)json"
    R"json(record":true}},"groups":{"base.group_allow_export":true},"user_companies":{"current_compan)json"
    R"json(y":1,"allowed_companies":{"3":{"id":3,"name":"My Company (Chicago)","sequence":10,"child_i)json"
    R"json(ds":[],"parent_id":false,"currency_id":1},"2":{"id":2,"name":"My US Company","sequence":10)json"
    R"json(,"child_ids":[],"parent_id":false,"currency_id":1},"1":{"id":1,"name":"My Company (San Fra)json"
    R"json(ncisco)","sequence":0,"child_ids":[],"parent_id":false,"currency_id":1}},"disallowed_ances)json"
    R"json(tor_companies":{}},"show_effect":true,"max_time_between_keys_in_ms":150,"websocket_worker_)json"
    R"json(version":"19.0-2","tour_enabled":false,"current_tour":null,"storeData":{"Store":{"action_d)json"
    R"json(iscuss_id":125,"channel_types_with_seen_infos":["chat","group"],"hasCannedResponses":true,)json"
    R"json("hasGifPickerFeature":false,"hasLinkPreviewFeature":true,"hasMessageTranslationFeature":fa)json"
    R"json(lse,"internalUserGroupId":1,"mt_comment":1,"mt_note":2,"odoobot":2,"self_partner":3,"setti)json"
    R"json(ngs":{"id":1,"embedded_actions_config_ids":{},"is_discuss_sidebar_category_channel_open":t)json"
    R"json(rue,"is_discuss_sidebar_category_chat_open":true,"push_to_talk_key":false,"use_push_to_tal)json"
    R"json(k":false,"voice_active_duration":200,"channel_notifications":false,"user_id":{"id":2},"vol)json"
    R"json(umes":[["ADD",[]]]}},"res.partner":[{"active":false,"avatar_128_access_token":"a2956c0d1e2)json"
    R"json(015fbb5ce2332b032f00db040395eb29ef450e038bd18f0a8a0f1o0x6b2f2f51","email":"odoobot@example)json"
    R"json(.com","id":2,"im_status":"bot","im_status_access_token":"98cdd974c01ffe7ae41deb95c68300f85)json"
    R"json(d00d2667b56cbf87373d6934d96b52eo0x6b2ea475","is_company":false,"main_user_id":1,"name":"Od)json"
    R"json(ooBot","write_date":"2026-11-26 11:07:20"},{"active":true,"avatar_128_access_token":"9dec2)json"
    R"json(8a423c479a77c4ce9c9659eacec2f84c63d049ffa51bf1d7ee997f9bde5o0x6b2f3078","id":3,"im_status")json"
    R"json(:"offline","im_status_access_token":"bc307328c374754b61a710695c57bb6a374768d092662a2723cd6)json"
    R"json(affff9116d1o0x6b2ea589","main_user_id":2,"name":"Mitchell Admin","write_date":"2026-11-26 )json"
    R"json(11:07:20"}],"res.users":[{"id":1,"share":false},{"id":2,"is_admin":true,"notification_type)json"
    R"json(":"email","share":false,"signature":["markup","<div>Mitchell Admin</div>"]}]},"iap_company)json"
    R"json(_enrich":true,"can_insert_in_spreadsheet":false})json";

}  // namespace

nlohmann::json RecordedSessionInfo(int major) {
  const char* text = major <= 16   ? kSessionInfo16
                     : major == 17 ? kSessionInfo17
                     : major == 18 ? kSessionInfo18
                                   : kSessionInfo19;
  return nlohmann::json::parse(text);
}

}  // namespace odoo_prober::emulator
