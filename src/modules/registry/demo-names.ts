import type { County } from './counties.js'

/**
 * Name pools for the fictional demo register. Most Kenyans carry a Christian or Muslim first name, a
 * community name and a family name; the mix of styles per community follows that. Surnames that belong
 * to well-known public figures are left out, so a generated name points at nobody in particular.
 */
export interface Community {
  name: string
  /** Share of the demo population, roughly as in the census. */
  weight: number
  /** Where most of its people live; a few live anywhere. Between them these cover all 47 counties. */
  homeCounties: readonly County[]
  female: readonly string[]
  male: readonly string[]
  surnames: readonly string[]
  /** How first names are chosen: from the Christian pool, the Muslim pool, or the community's own names. */
  firstNames: { christian: number; muslim: number; own: number }
  /** Middle names are the father's given name (Somali, Borana naming), so a male name for everyone. */
  patronymic?: boolean
}

export const CHRISTIAN_NAMES = {
  female: ['Mary', 'Grace', 'Faith', 'Joyce', 'Esther', 'Mercy', 'Lucy', 'Jane', 'Ann', 'Caroline', 'Beatrice',
    'Sharon', 'Purity', 'Naomi', 'Ruth', 'Eunice', 'Catherine', 'Elizabeth', 'Margaret', 'Susan', 'Winnie', 'Agnes',
    'Diana', 'Irene'],
  male: ['John', 'Peter', 'James', 'Joseph', 'David', 'Samuel', 'Daniel', 'Paul', 'Stephen', 'Francis', 'Dennis',
    'Brian', 'Kevin', 'Moses', 'George', 'Patrick', 'Charles', 'Michael', 'Joshua', 'Collins', 'Victor', 'Geoffrey',
    'Philip', 'Simon'],
} as const

export const MUSLIM_NAMES = {
  female: ['Fatuma', 'Amina', 'Halima', 'Zainab', 'Mwanaisha', 'Khadija', 'Asha', 'Saida', 'Rukia', 'Mariam'],
  male: ['Mohamed', 'Ali', 'Hassan', 'Omar', 'Abdalla', 'Said', 'Juma', 'Salim', 'Rashid', 'Ibrahim'],
} as const

const MOSTLY_CHRISTIAN = { christian: 6, muslim: 0, own: 4 }

export const COMMUNITIES: readonly Community[] = [
  {
    name: 'Kikuyu', weight: 17, firstNames: MOSTLY_CHRISTIAN,
    homeCounties: ['Kiambu', 'Nyeri', "Murang'a", 'Kirinyaga', 'Nyandarua', 'Nakuru', 'Laikipia', 'Nairobi'],
    female: ['Wanjiku', 'Wambui', 'Nyambura', 'Njeri', 'Wairimu', 'Wanjiru', 'Muthoni', 'Njoki', 'Waithera', 'Wangari'],
    male: ['Kamau', 'Njoroge', 'Mwangi', 'Kariuki', 'Githinji', 'Maina', 'Ndungu', 'Gitau', 'Waweru', 'Kimani'],
    surnames: ['Kamau', 'Mwangi', 'Njoroge', 'Kariuki', 'Maina', 'Ndungu', 'Gitau', 'Waweru', 'Kimani', 'Macharia', 'Githinji', 'Njuguna'],
  },
  {
    name: 'Luhya', weight: 14, firstNames: MOSTLY_CHRISTIAN,
    homeCounties: ['Kakamega', 'Vihiga', 'Bungoma', 'Busia', 'Trans Nzoia', 'Nairobi'],
    female: ['Nafula', 'Nekesa', 'Nasimiyu', 'Naliaka', 'Nanjala', 'Nabwire', 'Kageha', 'Muhonja'],
    male: ['Wafula', 'Wekesa', 'Barasa', 'Wanyama', 'Simiyu', 'Wanjala', 'Makokha', 'Shikuku'],
    surnames: ['Wafula', 'Wekesa', 'Barasa', 'Wanyama', 'Simiyu', 'Wanjala', 'Makokha', 'Khaemba', 'Mukhwana', 'Shikuku'],
  },
  {
    name: 'Kalenjin', weight: 13, firstNames: MOSTLY_CHRISTIAN,
    homeCounties: ['Uasin Gishu', 'Nandi', 'Kericho', 'Bomet', 'Baringo', 'Elgeyo-Marakwet', 'West Pokot', 'Nakuru'],
    female: ['Chebet', 'Jepkoech', 'Chepkemoi', 'Jeptoo', 'Cherono', 'Chelangat', 'Jepchirchir', 'Chepngetich'],
    male: ['Kiprono', 'Kibet', 'Kiptoo', 'Cheruiyot', 'Kipkemboi', 'Kirui', 'Kiplagat', 'Kipruto'],
    surnames: ['Rotich', 'Kirui', 'Koech', 'Langat', 'Kiptoo', 'Korir', 'Cheruiyot', 'Bett', 'Kosgei', 'Tanui'],
  },
  {
    name: 'Luo', weight: 11, firstNames: MOSTLY_CHRISTIAN,
    homeCounties: ['Kisumu', 'Siaya', 'Homa Bay', 'Migori', 'Nairobi'],
    female: ['Achieng', 'Akinyi', 'Atieno', 'Adhiambo', 'Awino', 'Anyango', 'Auma', 'Apiyo'],
    male: ['Otieno', 'Odhiambo', 'Ochieng', 'Omondi', 'Onyango', 'Owino', 'Okoth', 'Ouma'],
    surnames: ['Otieno', 'Odhiambo', 'Ochieng', 'Omondi', 'Onyango', 'Oketch', 'Owuor', 'Okello', 'Ouma', 'Awuor'],
  },
  {
    name: 'Kamba', weight: 10, firstNames: MOSTLY_CHRISTIAN,
    homeCounties: ['Machakos', 'Makueni', 'Kitui', 'Nairobi'],
    female: ['Mwikali', 'Mutheu', 'Ndinda', 'Mwende', 'Kavata', 'Mumbua', 'Syokau', 'Ndunge'],
    male: ['Mutua', 'Kioko', 'Mwendwa', 'Kyalo', 'Musau', 'Mulwa', 'Nzioka', 'Muema'],
    surnames: ['Mutua', 'Kioko', 'Musyoka', 'Kyalo', 'Musau', 'Kilonzo', 'Mulwa', 'Nzioka', 'Muema', 'Wambua'],
  },
  {
    name: 'Somali', weight: 6, firstNames: { christian: 0, muslim: 5, own: 5 }, patronymic: true,
    homeCounties: ['Garissa', 'Wajir', 'Mandera', 'Nairobi'],
    female: ['Hodan', 'Sahra', 'Ifrah', 'Deeqa', 'Maryan', 'Ubah', 'Hibo', 'Nasra'],
    male: ['Abdi', 'Abdullahi', 'Ahmed', 'Farah', 'Hussein', 'Yusuf', 'Aden', 'Noor'],
    surnames: ['Abdi', 'Hassan', 'Farah', 'Aden', 'Ali', 'Omar', 'Hussein', 'Noor', 'Warsame', 'Gedi'],
  },
  {
    name: 'Kisii', weight: 6, firstNames: MOSTLY_CHRISTIAN,
    homeCounties: ['Kisii', 'Nyamira'],
    female: ['Kemunto', 'Moraa', 'Nyaboke', 'Kwamboka', 'Bosibori', 'Nyanchama', 'Kerubo', 'Nyamoita'],
    male: ['Nyakundi', 'Ombati', 'Onsongo', 'Mogaka', 'Omwenga', 'Ondieki', 'Momanyi', 'Nyamweya'],
    surnames: ['Nyakundi', 'Ombati', 'Onsongo', 'Mogaka', 'Omwenga', 'Ondieki', 'Momanyi', 'Nyamweya', 'Mokaya', 'Obuya'],
  },
  {
    name: 'Mijikenda', weight: 5, firstNames: { christian: 4, muslim: 3, own: 3 },
    homeCounties: ['Kilifi', 'Kwale', 'Mombasa', 'Lamu', 'Tana River'],
    female: ['Kadzo', 'Sidi', 'Kache', 'Mbeyu', 'Kavumbi', 'Dama', 'Chiku', 'Kanze'],
    male: ['Kahindi', 'Baya', 'Katana', 'Charo', 'Kazungu', 'Kenga', 'Karisa', 'Chengo'],
    surnames: ['Katana', 'Charo', 'Kazungu', 'Kenga', 'Karisa', 'Baya', 'Chengo', 'Mwangome', 'Tsuma', 'Kahindi'],
  },
  {
    name: 'Meru', weight: 5, firstNames: MOSTLY_CHRISTIAN,
    homeCounties: ['Meru', 'Tharaka-Nithi', 'Embu', 'Isiolo'],
    female: ['Kagendo', 'Nkatha', 'Kananu', 'Makena', 'Kendi', 'Gacheri', 'Kaari', 'Mukami'],
    male: ['Mutuma', 'Murithi', 'Kirimi', 'Mwenda', 'Muriuki', 'Gitonga', 'Kinoti', 'Mugambi'],
    surnames: ['Mutuma', 'Murithi', 'Kirimi', 'Mwenda', 'Muriuki', 'Gitonga', 'Kinoti', 'Mugambi', "M'Mbijiwe", 'Kaberia'],
  },
  {
    name: 'Maasai', weight: 2.5, firstNames: { christian: 5, muslim: 0, own: 5 },
    homeCounties: ['Kajiado', 'Narok', 'Samburu'],
    female: ['Naserian', 'Nasieku', 'Naisula', 'Nashipae', 'Naeku', 'Nalangu', 'Simaloi', 'Sein'],
    male: ['Lemayian', 'Sankale', 'Koinet', 'Tajeu', 'Parsimei', 'Kasaine', 'Meitamei', 'Naikuni'],
    surnames: ['Sankale', 'Koinet', 'Tajeu', 'Parsimei', 'Kasaine', 'Naikuni', 'Meitamei', 'Sironka', 'ole Kasaine', 'ole Sankale'],
  },
  {
    name: 'Turkana', weight: 2, firstNames: MOSTLY_CHRISTIAN,
    homeCounties: ['Turkana'],
    female: ['Akai', 'Nakiru', 'Akiru', 'Asekon', 'Atabo', 'Nakaya'],
    male: ['Ekai', 'Lokwang', 'Ekiru', 'Lokol', 'Ewoi', 'Ekal'],
    surnames: ['Ekai', 'Lokwang', 'Ekiru', 'Lokol', 'Ewoi', 'Ekal', 'Lokorio', 'Nakapelo'],
  },
  {
    name: 'Borana', weight: 1.5, firstNames: { christian: 2, muslim: 5, own: 3 }, patronymic: true,
    homeCounties: ['Marsabit', 'Isiolo'],
    female: ['Qabale'],
    male: ['Guyo', 'Boru', 'Wako', 'Jillo', 'Huka', 'Dida', 'Galgalo', 'Godana'],
    surnames: ['Guyo', 'Boru', 'Wako', 'Jillo', 'Huka', 'Dida', 'Galgalo', 'Godana'],
  },
  {
    name: 'Taita', weight: 1, firstNames: MOSTLY_CHRISTIAN,
    homeCounties: ['Taita-Taveta', 'Mombasa'],
    female: ['Wakesho', 'Mkamburi', 'Mwanajuma'],
    male: ['Mwakio', 'Mghanga', 'Mwandawiro', 'Mwakesi'],
    surnames: ['Mwakio', 'Mghanga', 'Mwandawiro', 'Mwakesi', 'Mwasi', 'Mwakazi'],
  },
]

/** Foreign residents: nationality (ISO 3166-1 alpha-2) and names in the form the register holds them. */
export interface Origin {
  nationality: string
  female: readonly string[]
  male: readonly string[]
  surnames: readonly string[]
}

export const RESIDENT_ORIGINS: readonly Origin[] = [
  { nationality: 'UG', female: ['Nakato', 'Namubiru', 'Apio'], male: ['Mugisha', 'Okello', 'Ssemakula'], surnames: ['Ssempala', 'Nsubuga', 'Byaruhanga'] },
  { nationality: 'TZ', female: ['Neema', 'Rehema', 'Zawadi'], male: ['Baraka', 'Emmanuel', 'Juma'], surnames: ['Mushi', 'Massawe', 'Kimaro'] },
  { nationality: 'RW', female: ['Uwase', 'Ingabire', 'Mukamana'], male: ['Habimana', 'Niyonzima', 'Mugabo'], surnames: ['Uwimana', 'Nshimiyimana', 'Hakizimana'] },
  { nationality: 'ET', female: ['Hana', 'Selam', 'Meron'], male: ['Dawit', 'Yonas', 'Abebe'], surnames: ['Tesfaye', 'Bekele', 'Girma'] },
  { nationality: 'SS', female: ['Nyandeng', 'Achol', 'Abuk'], male: ['Deng', 'Majok', 'Chol'], surnames: ['Akol', 'Malual', 'Chol'] },
  { nationality: 'CD', female: ['Béatrice', 'Grâce', 'Josée'], male: ['Jérôme', 'Patrice', 'Aimé'], surnames: ['Kabongo', 'Ilunga', 'Tshibangu'] },
  { nationality: 'NG', female: ['Chiamaka', 'Ngozi', 'Funmilayo'], male: ['Chinedu', 'Emeka', 'Oluwaseun'], surnames: ['Okafor', 'Adeyemi', 'Eze'] },
  { nationality: 'IN', female: ['Priya', 'Anjali', 'Kavita'], male: ['Rahul', 'Sanjay', 'Vikram'], surnames: ['Patel', 'Shah', 'Mehta'] },
  { nationality: 'CN', female: ['Mei', 'Xiu', 'Lan'], male: ['Wei', 'Jun', 'Hao'], surnames: ['Wang', 'Zhang', 'Chen'] },
  { nationality: 'GB', female: ['Emily', 'Charlotte', 'Sarah'], male: ['Oliver', 'Thomas', 'James'], surnames: ['Clarke', 'Hughes', 'Taylor'] },
  { nationality: 'DE', female: ['Anna', 'Lena', 'Sophie'], male: ['Lukas', 'Jonas', 'Felix'], surnames: ['Müller', 'Schäfer', 'Becker'] },
  { nationality: 'US', female: ['Jessica', 'Ashley', 'Megan'], male: ['Michael', 'Christopher', 'Ryan'], surnames: ['Johnson', 'Miller', 'Davis'] },
]

export const RESIDENT_COUNTIES: readonly County[] = ['Nairobi', 'Nairobi', 'Nairobi', 'Mombasa', 'Kisumu', 'Nakuru', 'Kiambu', 'Kilifi']

/** Words Kenyan businesses are named with (Kiswahili for blessing, hope, unity...). */
export const BUSINESS_WORDS = ['Baraka', 'Neema', 'Upendo', 'Amani', 'Tumaini', 'Jirani', 'Faraja', 'Imani', 'Bahati',
  'Fahari', 'Jamii', 'Umoja', 'Zawadi', 'Riziki', 'Heshima', 'Mwangaza'] as const

export const BUSINESS_NAME_TRADES = ['General Stores', 'Agrovet', 'Hardware', 'Butchery', 'Salon and Barbershop',
  'Tailoring Works', 'Cereals Store', 'Motorcycle Spares', 'Cyber Services', 'Chemist', 'Hotel', 'Fresh Produce'] as const

export const COMPANY_TRADES = ['Holdings', 'Logistics', 'Agencies', 'Construction', 'Dairies', 'Technologies',
  'Pharmaceuticals', 'Properties', 'Transporters', 'Supplies', 'Tea Traders', 'Solar Solutions', 'Ventures',
  'Consultants', 'Motors', 'Foods'] as const
