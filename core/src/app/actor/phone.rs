//! The phone link: the short-lived phone check (its LAN server, QR and presence watch) and
//! what the screen shows about it. Its events become `phone.*` facts for the engine.

use super::{Actor, log_problem, text};
use crate::app::snapshot::{PhoneState, PhoneStatus};
use crate::facts::UnixMs;
use crate::flow::Event;
use crate::phone::{PhoneCheck, PhoneCheckConfig, PhoneEvent, Refusal};

#[derive(Default)]
pub(super) struct PhoneLink {
    /// The running check (taken out while the actor waits for its next event).
    pub(super) check: Option<PhoneCheck>,
    pub(super) status: Option<PhoneStatus>,
}

impl PhoneLink {
    /// Stops the check, if one runs; the status stays.
    pub(super) async fn stop(&mut self) {
        if let Some(mut check) = self.check.take() {
            check.stop().await;
        }
    }

    fn started(&mut self, check: PhoneCheck) {
        self.status = Some(PhoneStatus {
            state: PhoneState::Waiting,
            url: Some(check.url().to_owned()),
            qr_svg: Some(check.qr_svg().to_owned()),
            platform: None,
            connection: None,
            message: text::waiting_message(cfg!(windows)),
            refused_other_device: false,
        });
        self.check = Some(check);
    }

    fn failed(&mut self, e: &crate::phone::PhoneError) {
        self.status = Some(PhoneStatus {
            state: PhoneState::Failed,
            url: None,
            qr_svg: None,
            platform: None,
            connection: None,
            message: text::phone_error_text(e),
            refused_other_device: false,
        });
    }

    /// What an event changes on the screen.
    fn show(&mut self, event: &PhoneEvent) {
        if let Some(status) = self.status.as_mut() {
            let state = match event {
                PhoneEvent::PcTethered => Some(PhoneState::PcTethered),
                PhoneEvent::OnLan { platform, .. } => {
                    status.platform = Some(platform.fact_value().to_owned());
                    Some(PhoneState::OnLan)
                }
                PhoneEvent::Visible { .. } => Some(PhoneState::OnLan),
                PhoneEvent::StillOnLan { hidden: true, .. } => Some(PhoneState::OnLanHidden),
                PhoneEvent::StillOnLan { hidden: false, .. } => Some(PhoneState::OnLan),
                PhoneEvent::Hidden => Some(PhoneState::Hidden),
                PhoneEvent::LeftLan { .. } => Some(PhoneState::LeftLan),
                PhoneEvent::PageSilent { .. } => Some(PhoneState::PageSilent),
                PhoneEvent::PresenceUnknown { .. } => Some(PhoneState::Unknown),
                PhoneEvent::ReportedConnection { connection, .. } => {
                    status.connection = Some(connection.clone());
                    None
                }
                PhoneEvent::NeverScanned { .. } => Some(PhoneState::NeverScanned),
                PhoneEvent::Refused { why, .. } => {
                    if matches!(why, Refusal::OtherDevice) {
                        status.refused_other_device = true;
                    }
                    None
                }
                PhoneEvent::Ended { .. } => Some(PhoneState::Ended),
            };
            if let Some(state) = state {
                status.state = state;
                status.message = text::phone_message(state);
            }
        }
        if let PhoneEvent::Ended { .. } = event {
            self.check = None;
        }
    }
}

impl Actor {
    pub(super) async fn start_phone_check(&mut self) {
        if self.phone.check.is_some() {
            return;
        }
        let config = PhoneCheckConfig {
            bind: self.config.phone_bind,
            ttl: self.config.phone_ttl,
            carrier_check_url: self.config.carrier_check_url.clone(),
            pc_tethered_to_phone: self.pc.tethered_to_phone(),
            neighbours: self.config.neighbours.clone(),
            rules: self.config.presence,
        };
        match PhoneCheck::start(config).await {
            Ok(check) => self.phone.started(check),
            Err(e) => {
                log_problem(&format!("the phone check could not start: {e}"));
                self.phone.failed(&e);
            }
        }
    }

    pub(super) async fn on_phone(&mut self, event: PhoneEvent) {
        let now = UnixMs::now();
        self.phone.show(&event);
        for o in event.observations(now) {
            self.apply(Event::Observe(o)).await;
        }
    }
}
