import type { Insertable } from 'kysely'
import type { AgenciesTable } from '../../platform/db/schema.js'

/** The agencies of the demo portal (codes and names from the public record). */
export const DEMO_AGENCIES: Insertable<AgenciesTable>[] = [
  {
    code: 'DIS',
    name_en: 'Department of Immigration Services',
    name_sw: 'Idara ya Huduma za Uhamiaji',
    summary_en: 'Passports, visas, electronic travel authorisation and permits.',
    summary_sw: 'Pasipoti, viza, idhini ya kielektroniki ya kusafiri na vibali.',
  },
  {
    code: 'CRS',
    name_en: 'Civil Registration Services',
    name_sw: 'Huduma za Usajili wa Raia',
    summary_en: 'Birth and death registration and certificates.',
    summary_sw: 'Usajili na vyeti vya kuzaliwa na vifo.',
  },
  {
    code: 'NRB',
    name_en: 'National Registration Bureau',
    name_sw: 'Ofisi ya Kitaifa ya Usajili',
    summary_en: 'National identity cards.',
    summary_sw: 'Vitambulisho vya kitaifa.',
  },
  {
    code: 'BRS',
    name_en: 'Business Registration Service',
    name_sw: 'Huduma ya Usajili wa Biashara',
    summary_en: 'Business names, companies and official searches.',
    summary_sw: 'Majina ya biashara, kampuni na upekuzi rasmi.',
  },
  {
    code: 'NTSA',
    name_en: 'National Transport and Safety Authority',
    name_sw: 'Mamlaka ya Kitaifa ya Uchukuzi na Usalama',
    summary_en: 'Driving licences and vehicle registration.',
    summary_sw: 'Leseni za udereva na usajili wa magari.',
  },
  {
    code: 'DCI',
    name_en: 'Directorate of Criminal Investigations',
    name_sw: 'Idara ya Upelelezi wa Jinai',
    summary_en: 'Police clearance certificates (certificate of good conduct).',
    summary_sw: 'Vyeti vya maadili mema kutoka kwa polisi.',
  },
  {
    code: 'ECD',
    name_en: 'Directorate of eCitizen',
    name_sw: 'Kurugenzi ya eCitizen',
    summary_en: 'Runs this portal: accounts, payments and service status.',
    summary_sw: 'Inaendesha tovuti hii: akaunti, malipo na hali ya huduma.',
  },
]
